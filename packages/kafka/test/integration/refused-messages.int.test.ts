import { DeliveryFailedError, PublishError, slotSet, type UndeliveredEvent } from '@broker/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaEventBroker } from '../../src/index';
import { captureLogger } from '../capture-logger';
import { createTopic, deleteTopics, kafkaSingle, readTopic, uniqueTopic } from './kafka-services';

let brokers: string[];
const topics: string[] = [];

beforeAll(async () => {
  brokers = [(await kafkaSingle()).plaintext];
});

afterAll(async () => {
  if (brokers) await deleteTopics(brokers, topics);
});

it('an event the topic refuses (over its max.message.bytes) fails alone; the stream around it is delivered in order', async () => {
  const topic = uniqueTopic('refused');
  topics.push(topic);
  await createTopic(brokers, topic, { config: { 'max.message.bytes': '4000' } });
  const logger = captureLogger();
  const broker = new KafkaEventBroker({ url: brokers, topic, partitionBySender: true, logger });
  const undelivered: UndeliveredEvent[] = [];
  const errors: unknown[] = [];
  broker.on('undelivered', (events, error) => {
    undelivered.push(...events);
    errors.push(error);
  });
  broker.on('error', () => undefined);
  for (let n = 0; n < 60; n++) {
    broker.publish({ sender_id: 'stream', ...slotSet('n', n, { timestamp: 1 + n }) });
    if (n === 30)
      broker.publish({ sender_id: 'stream', ...slotSet('blob', 'x'.repeat(6000), { timestamp: 1 }) });
  }
  const flushed = await broker.flush(30_000).catch((caught: unknown) => caught);
  expect(DeliveryFailedError.isInstance(flushed)).toBe(true);
  expect((flushed as DeliveryFailedError).failed).toBe(1);
  expect(undelivered).toHaveLength(1);
  expect(undelivered[0]).toMatchObject({ senderId: 'stream', reason: 'failed' });
  expect(JSON.parse(undelivered[0]!.body).name).toBe('blob');
  expect(PublishError.isInstance(errors[0])).toBe(true);
  expect((errors[0] as Error).message).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
  expect(broker.stats()).toMatchObject({ published: 61, confirmed: 60, failed: 1, pending: 0 });
  await broker.close();
  const records = await readTopic(brokers, topic, 60, 30_000, 500);
  expect(records.map((r) => JSON.parse(r.value).value)).toEqual(Array.from({ length: 60 }, (_, n) => n));
});
