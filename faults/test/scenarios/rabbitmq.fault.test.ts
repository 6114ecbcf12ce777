import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PikaEventBroker, type PikaEventBrokerOptions } from '@broker/pika';
import {
  closeRabbitConnections,
  type FaultRabbitMq,
  type MainRabbitMq,
  requireRabbitMq,
  startRabbitNode,
  stopRabbitNode,
  TcpProxy,
} from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateReached } from '../../src/broker-state';
import { startFaultNodeAndTime } from '../../src/node-answers';
import type { FaultInjection } from '../../src/producer-scenario';
import { runProducerScenario } from '../../src/producer-scenario';
import { drainQueueIntoLedger } from '../../src/wire-readers';
import { expectNoLoss } from './expect-no-loss';

let fault: FaultRabbitMq;
let main: MainRabbitMq;

beforeAll(async () => {
  fault = await requireRabbitMq('fault');
  main = await requireRabbitMq('main');
});

afterAll(async () => {
  // Whatever happened, leave the fault node running for whoever comes next.
  await startRabbitNode('fault');
});

/** A PikaEventBroker on its own queue and exchange, read back from `readUrl` afterwards. */
function pikaScenario(
  scenario: { id: string; title: string; fault: string; recovery: string },
  urls: { broker: string; read: string },
  inject: FaultInjection,
  options: { connectFirst?: boolean; broker?: Partial<PikaEventBrokerOptions> } = {},
) {
  const name = `faults-${scenario.id}-${randomUUID()}`;
  const broker = new PikaEventBroker({
    host: urls.broker,
    queues: [name],
    exchangeName: name,
    startup: 'buffer',
    ...options.broker,
  });
  return runProducerScenario({
    scenario: { ...scenario, broker: 'RabbitMQ' },
    broker,
    connectFirst: options.connectFirst ?? true,
    inject,
    readBack: (ledger) => drainQueueIntoLedger(urls.read, name, name, ledger),
  });
}

describe('RabbitMQ faults (PikaEventBroker, 500 events/s over 20 conversations, read back with amqplib)', () => {
  it('node restart mid-stream: nothing lost, per-conversation order kept', async () => {
    const outcome = await pikaScenario(
      {
        id: 'rabbitmq-node-restart',
        title: 'node restart',
        fault: 'the `fault` node is stopped (rabbitmqctl stop) and started again while publishing goes on',
        recovery: 'node answers AMQP again → all events accepted so far confirmed',
      },
      { broker: fault.url, read: fault.url },
      async () => {
        await stopRabbitNode('fault');
        return { healedAt: await startFaultNodeAndTime() };
      },
    );
    expectNoLoss(outcome);
  });

  it('server-side connection close: nothing lost, per-conversation order kept', async () => {
    const outcome = await pikaScenario(
      {
        id: 'rabbitmq-connection-close',
        title: 'server-side connection close',
        fault: 'rabbitmqctl close_all_connections on the `fault` node mid-stream',
        recovery: 'connections closed → all events accepted so far confirmed',
      },
      { broker: fault.url, read: fault.url },
      async (broker) => {
        const lost = stateReached(broker, 'reconnecting', 30_000);
        await closeRabbitConnections('fault');
        await lost;
        return { healedAt: performance.now() };
      },
    );
    expectNoLoss(outcome);
  });

  it('network cut, then a slow link, then normal again (TCP proxy): nothing lost, order kept', async () => {
    const proxy = await TcpProxy.start(main.host, main.port);
    try {
      const outcome = await pikaScenario(
        {
          id: 'rabbitmq-network-cut',
          title: 'network cut, slow link, resume',
          fault:
            'a TCP proxy holds all traffic until the heartbeat (1 s) notices and 3 s more, then delays every packet by 200 ms for 3 s, then forwards normally',
          recovery: 'link back to normal → all events accepted so far confirmed',
        },
        {
          broker: `amqp://${main.username}:${main.password}@127.0.0.1:${proxy.port}?connection_timeout=2000`,
          read: main.url,
        },
        async (broker) => {
          const noticed = stateReached(broker, 'reconnecting', 30_000);
          proxy.cut();
          await noticed;
          // The outage goes on: reconnects hang on the dead link while events pile up.
          await sleep(3000);
          proxy.slow(200);
          await sleep(3000);
          proxy.resume();
          return { healedAt: performance.now() };
        },
        { broker: { heartbeat: 1 } },
      );
      expectNoLoss(outcome);
    } finally {
      await proxy.close();
    }
  });

  it('broker down at start-up (startup: buffer): the buffered events arrive, in order', async () => {
    await stopRabbitNode('fault');
    try {
      const outcome = await pikaScenario(
        {
          id: 'rabbitmq-down-at-start',
          title: 'broker down at start-up',
          fault:
            'the `fault` node is stopped before the broker starts (startup: buffer); it is started after 2 s of publishing',
          recovery: 'node answers AMQP → all buffered events confirmed',
        },
        { broker: fault.url, read: fault.url },
        async (broker, publisher) => {
          await publisher.acceptedMore(1000);
          expect(broker.stats().confirmed).toBe(0);
          return { healedAt: await startFaultNodeAndTime() };
        },
        { connectFirst: false },
      );
      expectNoLoss(outcome);
    } finally {
      await startRabbitNode('fault');
    }
  });
});
