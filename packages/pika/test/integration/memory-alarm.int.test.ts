import { type BrokerState, slotSet } from '@broker/core';
import {
  clearRabbitMemoryAlarm,
  type FaultRabbitMq,
  raiseRabbitMemoryAlarm,
  requireRabbitMq,
} from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

// A memory alarm on the `fault` node, which tests may disturb (run under the fault lock): while
// it lasts RabbitMQ blocks publishing connections (connection.blocked) and reads nothing from them.

let fault: FaultRabbitMq;
let reader: AmqpReader;
const queue = uniqueName('alarm');
const exchange = uniqueName('alarm-exchange');

beforeAll(async () => {
  fault = await requireRabbitMq('fault', { timeoutMs: 30_000 });
  reader = await AmqpReader.open(fault.url);
  await reader.declareBound(queue, exchange);
});

afterAll(async () => {
  // Whatever happened, the node takes publishes again for whoever comes next.
  await clearRabbitMemoryAlarm('fault').catch(() => undefined);
  await reader?.remove([queue], [exchange]);
  await reader?.close();
});

/** Resolves when the broker reaches `state`; rejects after `timeoutMs` naming the states it went through. */
function reaches(broker: PikaEventBroker, state: BrokerState, timeoutMs: number): Promise<void> {
  const seen: BrokerState[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      broker.off('state', onState);
      reject(
        new Error(
          `the broker did not become ${state} within ${timeoutMs} ms (went through ${seen.join(' → ')})`,
        ),
      );
    }, timeoutMs);
    const onState = (next: BrokerState) => {
      seen.push(next);
      if (next !== state) return;
      clearTimeout(timer);
      broker.off('state', onState);
      resolve();
    };
    broker.on('state', onState);
  });
}

describe('RabbitMQ blocks the connection (memory alarm)', () => {
  it('the broker is blocked and not ready until RabbitMQ unblocks it; its events wait and then arrive', async () => {
    const broker = new PikaEventBroker({ host: fault.url, queues: [queue], exchangeName: exchange });
    try {
      await broker.connect();
      broker.publish({ sender_id: 'alarm', ...slotSet('i', 0, { timestamp: 1 }) });
      await broker.flush(10_000);
      expect(broker.isReady()).toBe(true);

      const blocked = reaches(broker, 'blocked', 30_000);
      await raiseRabbitMemoryAlarm('fault');
      let unblocked: Promise<void> | undefined;
      try {
        // RabbitMQ blocks a connection that publishes during the alarm.
        broker.publish({ sender_id: 'alarm', ...slotSet('i', 1, { timestamp: 2 }) });
        await blocked;
        expect(broker.state).toBe('blocked');
        expect(broker.isReady()).toBe(false);
        expect(broker.stats()).toMatchObject({ published: 2, confirmed: 1, pending: 1 });
        unblocked = reaches(broker, 'ready', 30_000);
      } finally {
        await clearRabbitMemoryAlarm('fault');
      }
      await unblocked;
      expect(broker.isReady()).toBe(true);
      await broker.flush(30_000);
      const bodies = (await reader.consume(queue, 2, 10_000)).map(
        (m) => JSON.parse(m.content.toString('utf8')).value,
      );
      expect(bodies).toEqual([0, 1]);
    } finally {
      await broker.close({ timeout: 5000 });
    }
  }, 120_000);
});
