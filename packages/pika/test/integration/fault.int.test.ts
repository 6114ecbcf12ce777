import { setTimeout as sleep } from 'node:timers/promises';
import { type BrokerState, BufferOverflowError, toEndpointConfig } from '@broker/core';
import {
  closeRabbitConnections,
  type FaultRabbitMq,
  requireRabbitMq,
  restartRabbitNode,
  startRabbitNode,
  stopRabbitNode,
} from 'broker-test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';
import { checkStream, numberedEvent } from './helpers/stream-check';

// Fault tests on the `fault` RabbitMQ node, which tests may restart, stop and disconnect.
// Queues are durable and messages persistent, so what RabbitMQ confirmed survives a restart.

let fault: FaultRabbitMq;
const created: { queues: string[]; exchanges: string[]; brokers: PikaEventBroker[] } = {
  queues: [],
  exchanges: [],
  brokers: [],
};

beforeAll(async () => {
  fault = await requireRabbitMq('fault', { timeoutMs: 30_000 });
});

afterEach(async () => {
  for (const broker of created.brokers.splice(0)) await broker.close({ timeout: 2000 });
  const reader = await AmqpReader.open(fault.url);
  await reader.remove(created.queues.splice(0), created.exchanges.splice(0));
  await reader.close();
});

afterAll(async () => {
  // Leave the node running for whoever comes next, whatever happened here.
  await startRabbitNode('fault').catch(() => undefined);
});

function names() {
  const queue = uniqueName('fault');
  const exchange = uniqueName('fault-exchange');
  created.queues.push(queue);
  created.exchanges.push(exchange);
  return { queue, exchange };
}

function track(broker: PikaEventBroker): PikaEventBroker {
  created.brokers.push(broker);
  return broker;
}

/**
 * Publishes numbered events round-robin over `senders` conversations, `batch` every
 * `intervalMs`. After `midwayAt` events it calls `midway` (the fault), then goes on until
 * `done()` says the fault is over, plus `after` more events. Returns what was accepted.
 */
async function stream(
  broker: PikaEventBroker,
  options: {
    senders: number;
    batch: number;
    intervalMs: number;
    midwayAt: number;
    midway: () => void;
    done: () => boolean;
    after: number;
  },
): Promise<Map<string, number>> {
  const published = new Map<string, number>();
  let total = 0;
  let stopAt = Number.POSITIVE_INFINITY;
  while (total < stopAt) {
    const sender = `conversation-${total % options.senders}`;
    const n = published.get(sender) ?? 0;
    broker.publish(numberedEvent(sender, n));
    published.set(sender, n + 1);
    total++;
    if (total === options.midwayAt) options.midway();
    if (total > options.midwayAt && stopAt === Number.POSITIVE_INFINITY && options.done())
      stopAt = total + options.after;
    if (total % options.batch === 0) await sleep(options.intervalMs);
  }
  return published;
}

/** True once the broker lost its connection and got it back. */
function recovered(states: BrokerState[]): () => boolean {
  return () => {
    const lost = states.indexOf('reconnecting');
    return lost >= 0 && states.indexOf('ready', lost) > lost;
  };
}

async function queueMessages(queue: string) {
  const reader = await AmqpReader.open(fault.url);
  try {
    return (await reader.drain(queue)).map((message) => ({
      body: message.content.toString('utf8'),
      messageId: message.properties.messageId as string | undefined,
    }));
  } finally {
    await reader.close();
  }
}

async function queueContent(queue: string): Promise<string[]> {
  return (await queueMessages(queue)).map((message) => message.body);
}

describe('a broker that goes away mid-stream loses nothing', () => {
  it('restart of the RabbitMQ node in the middle of thousands of events', async () => {
    const { queue, exchange } = names();
    const broker = track(
      new PikaEventBroker({
        host: fault.url,
        queues: [queue],
        exchangeName: exchange,
        heartbeat: 5,
        messageId: true,
      }),
    );
    const states: BrokerState[] = [];
    broker.on('state', (state) => states.push(state));
    await broker.connect();
    let restarted: Promise<unknown> | undefined;
    const published = await stream(broker, {
      senders: 20,
      batch: 20,
      intervalMs: 20,
      midwayAt: 2000,
      midway: () => {
        restarted = restartRabbitNode('fault');
      },
      done: recovered(states),
      after: 2000,
    });
    await restarted;
    await broker.flush(120_000);
    const total = [...published.values()].reduce((sum, count) => sum + count, 0);
    const stats = broker.stats();
    expect(total).toBeGreaterThan(4000);
    expect(stats).toMatchObject({ published: total, confirmed: total, failed: 0, dropped: 0, pending: 0 });

    const messages = await queueMessages(queue);
    const report = checkStream(
      messages.map((m) => m.body),
      published,
    );
    // A re-sent event keeps its message id, so a consumer can drop the duplicate.
    const idsByEvent = new Map<string, Set<string | undefined>>();
    for (const { body, messageId } of messages) {
      const { sender_id: sender, value } = JSON.parse(body) as { sender_id: string; value: number };
      const ids = idsByEvent.get(`${sender}#${value}`) ?? new Set();
      idsByEvent.set(`${sender}#${value}`, ids.add(messageId));
    }
    expect([...idsByEvent.values()].filter((ids) => ids.size !== 1 || ids.has(undefined))).toEqual([]);
    console.log(
      `restart mid-stream: ${report.received} messages for ${total} events, ${report.duplicates.length} duplicate(s) ` +
        `(resent ${stats.resent})${report.duplicates.length ? `: ${report.duplicates.slice(0, 20).join(', ')}` : ''}`,
    );
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    expect(report.received - total).toBeLessThanOrEqual(stats.resent);
  }, 180_000);

  it('all connections closed from the server side in the middle of a stream', async () => {
    const { queue, exchange } = names();
    const broker = track(new PikaEventBroker({ host: fault.url, queues: [queue], exchangeName: exchange }));
    const states: BrokerState[] = [];
    broker.on('state', (state) => states.push(state));
    await broker.connect();
    let closed: Promise<unknown> | undefined;
    const published = await stream(broker, {
      senders: 10,
      batch: 50,
      intervalMs: 10,
      midwayAt: 1500,
      midway: () => {
        closed = closeRabbitConnections('fault');
      },
      done: recovered(states),
      after: 1500,
    });
    await closed;
    await broker.flush(60_000);
    const total = [...published.values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThan(3000);
    expect(broker.stats()).toMatchObject({ published: total, confirmed: total, failed: 0, dropped: 0 });

    const report = checkStream(await queueContent(queue), published);
    console.log(
      `server-side close mid-stream: ${report.received} messages for ${total} events, ${report.duplicates.length} duplicate(s), ` +
        `resent ${broker.stats().resent}`,
    );
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
  }, 120_000);
});

describe('broker down at start-up', () => {
  it('startup: buffer accepts at once and delivers when RabbitMQ comes; buffer limits applied and counted', async () => {
    const buffered = names();
    const rejecting = names();
    const dropping = names();
    const config = (topology: { queue: string; exchange: string }, extra: Record<string, unknown> = {}) =>
      toEndpointConfig({
        url: fault.url,
        queues: [topology.queue],
        exchange_name: topology.exchange,
        startup: 'buffer',
        ...extra,
      });
    await stopRabbitNode('fault');
    try {
      const started = Date.now();
      const broker = track(await PikaEventBroker.fromEndpointConfig(config(buffered)));
      const reject = track(
        await PikaEventBroker.fromEndpointConfig(
          config(rejecting, { buffer_max_events: 100, buffer_overflow: 'reject' }),
        ),
      );
      const drop = track(
        await PikaEventBroker.fromEndpointConfig(
          config(dropping, { buffer_max_events: 100, buffer_overflow: 'drop-oldest' }),
        ),
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(broker.isReady()).toBe(false);

      for (let n = 0; n < 500; n++) broker.publish(numberedEvent('buffered', n));
      let refused = 0;
      for (let n = 0; n < 150; n++) {
        try {
          reject.publish(numberedEvent('reject', n));
        } catch (error) {
          expect(BufferOverflowError.isInstance(error)).toBe(true);
          refused++;
        }
      }
      for (let n = 0; n < 150; n++) drop.publish(numberedEvent('drop', n));
      expect(broker.stats()).toMatchObject({ published: 500, pending: 500 });
      expect(refused).toBe(50);
      expect(reject.stats()).toMatchObject({ published: 100, pending: 100, dropped: 0 });
      expect(drop.stats()).toMatchObject({ published: 150, pending: 100, dropped: 50 });
    } finally {
      await startRabbitNode('fault');
    }
    for (const broker of created.brokers) await broker.flush(60_000);

    expect(checkStream(await queueContent(buffered.queue), new Map([['buffered', 500]]))).toMatchObject({
      missing: [],
      outOfOrder: [],
    });
    const rejected = (await queueContent(rejecting.queue)).map((body) => JSON.parse(body).value);
    expect(rejected).toEqual(Array.from({ length: 100 }, (_, n) => n));
    const kept = (await queueContent(dropping.queue)).map((body) => JSON.parse(body).value);
    expect(kept).toEqual(Array.from({ length: 100 }, (_, n) => n + 50));
  }, 180_000);
});
