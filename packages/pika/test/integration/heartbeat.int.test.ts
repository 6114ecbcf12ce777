import type { BrokerState } from '@broker/core';
import { type MainRabbitMq, requireRabbitMq, TcpProxy } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';
import { checkStream, numberedEvent } from './helpers/stream-check';

let main: MainRabbitMq;
let reader: AmqpReader;
let proxy: TcpProxy;
const queue = uniqueName('heartbeat');
const exchange = uniqueName('heartbeat-x');

beforeAll(async () => {
  main = await requireRabbitMq('main');
  reader = await AmqpReader.open(main.url);
  proxy = await TcpProxy.start(main.host, main.port);
});

afterAll(async () => {
  await proxy?.close();
  await reader?.remove([queue], [exchange]);
  await reader?.close();
});

function stateReached(broker: PikaEventBroker, wanted: BrokerState): Promise<void> {
  return new Promise((resolve) => {
    const listener = (state: BrokerState) => {
      if (state !== wanted) return;
      broker.off('state', listener);
      resolve();
    };
    broker.on('state', listener);
  });
}

describe('a silently cut network', () => {
  it('is noticed by the heartbeat, reconnected, and nothing accepted is lost', async () => {
    const broker = new PikaEventBroker({
      host: `amqp://${main.username}:${main.password}@127.0.0.1:${proxy.port}?connection_timeout=2000`,
      queues: [queue],
      exchangeName: exchange,
      heartbeat: 1,
    });
    await broker.connect();
    for (let n = 0; n < 100; n++) broker.publish(numberedEvent('cut', n));
    await broker.flush(10_000);

    const lost = stateReached(broker, 'reconnecting');
    proxy.cut();
    const cutAt = Date.now();
    for (let n = 100; n < 300; n++) broker.publish(numberedEvent('cut', n));
    await lost;
    const detectedAfter = Date.now() - cutAt;
    console.log(`heartbeat: the cut was noticed after ${detectedAfter} ms (heartbeat 1 s)`);
    expect(detectedAfter).toBeLessThan(10_000);
    expect(broker.stats().confirmed).toBe(100);

    const back = stateReached(broker, 'ready');
    proxy.reset();
    await back;
    await broker.flush(20_000);
    expect(broker.stats()).toMatchObject({ published: 300, confirmed: 300, failed: 0 });
    await broker.close();

    const bodies = (await reader.drain(queue)).map((m) => m.content.toString('utf8'));
    const report = checkStream(bodies, new Map([['cut', 300]]));
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
  });
});
