import { serialiseEvent, slotSet } from '@broker/core';
import { SAMPLE_EVENTS } from '@broker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker, type KafkaEventBrokerOptions, partitionForKey } from '../../src/index';
import { createTopic, deleteTopics, kafkaSingle, readTopic, uniqueTopic } from './kafka-services';

let brokers: string[];
const topics: string[] = [];

beforeAll(async () => {
  brokers = [(await kafkaSingle()).plaintext];
});

afterAll(async () => {
  if (brokers) await deleteTopics(brokers, topics);
});

async function publishAll(
  options: Omit<KafkaEventBrokerOptions, 'url' | 'topic'>,
  partitions: number,
  publish: (broker: KafkaEventBroker) => void,
) {
  const topic = uniqueTopic('wire');
  topics.push(topic);
  await createTopic(brokers, topic, { partitions });
  const broker = new KafkaEventBroker({ url: brokers, topic, ...options });
  publish(broker);
  await broker.flush(20_000);
  await broker.close();
  return topic;
}

describe('what KafkaEventBroker puts on the wire', () => {
  it('every event type: value = the Rasa JSON, key = sender_id, header RASA_ENVIRONMENT only', async () => {
    const topic = await publishAll(
      { partitionBySender: true, rasaEnvironment: 'production' },
      1,
      (broker) => {
        for (const event of SAMPLE_EVENTS) broker.publish({ sender_id: 'wire-user', ...event });
      },
    );
    const records = await readTopic(brokers, topic, SAMPLE_EVENTS.length);
    expect(records.map((r) => r.value)).toEqual(
      SAMPLE_EVENTS.map((event) => serialiseEvent('wire-user', event)),
    );
    for (const record of records) {
      expect(record.key).toBe('wire-user');
      expect(record.headers).toEqual({ RASA_ENVIRONMENT: 'production' });
    }
    expect(new Set(records.map((r) => JSON.parse(r.value).event)).size).toBe(SAMPLE_EVENTS.length);
  });

  it('without partition_by_sender the key is null, and RASA_ENVIRONMENT defaults as Rasa sends it', async () => {
    const saved = process.env.RASA_ENVIRONMENT;
    delete process.env.RASA_ENVIRONMENT;
    try {
      const topic = await publishAll({}, 1, (broker) =>
        broker.publish({ sender_id: 'no-key', ...slotSet('a', 1, { timestamp: 1 }) }),
      );
      const [record] = await readTopic(brokers, topic, 1);
      expect(record!.key).toBeNull();
      expect(record!.headers).toEqual({ RASA_ENVIRONMENT: 'RASA_ENVIRONMENT_NOT_SET' });
    } finally {
      if (saved !== undefined) process.env.RASA_ENVIRONMENT = saved;
    }
  });

  it('takes RASA_ENVIRONMENT from the environment, adds publish() headers, and sends string bodies byte for byte', async () => {
    const saved = process.env.RASA_ENVIRONMENT;
    process.env.RASA_ENVIRONMENT = 'staging';
    const body = '{"sender_id": "Zo\\u00eb", "event": "restart", "timestamp": 1716801234.5}';
    try {
      const topic = await publishAll({ partitionBySender: true }, 1, (broker) =>
        broker.publish(body, { headers: { 'rasa-export-process-id': '3f2a' } }),
      );
      const [record] = await readTopic(brokers, topic, 1);
      expect(record!.value).toBe(body);
      expect(record!.key).toBe('Zoë');
      expect(record!.headers).toEqual({ RASA_ENVIRONMENT: 'staging', 'rasa-export-process-id': '3f2a' });
    } finally {
      if (saved === undefined) delete process.env.RASA_ENVIRONMENT;
      else process.env.RASA_ENVIRONMENT = saved;
    }
  });

  it.each(['crc32', 'murmur2'] as const)(
    'partition_by_sender keeps each sender on one partition, in order (%s, as its reference client places it)',
    async (partitioner) => {
      const partitions = 6;
      const senders = Array.from({ length: 30 }, (_, i) => `conversation-${i}`);
      const perSender = 40;
      const topic = await publishAll({ partitionBySender: true, partitioner }, partitions, (broker) => {
        for (let n = 0; n < perSender; n++) {
          for (const sender of senders)
            broker.publish({ sender_id: sender, ...slotSet('n', n, { timestamp: 1 + n }) });
        }
      });
      const records = await readTopic(brokers, topic, senders.length * perSender);
      const used = new Set<number>();
      for (const sender of senders) {
        const mine = records.filter((r) => r.key === sender);
        const onPartitions = new Set(mine.map((r) => r.partition));
        expect(onPartitions.size, `${sender} is spread over partitions ${[...onPartitions]}`).toBe(1);
        const [partition] = onPartitions;
        expect(partition).toBe(partitionForKey(partitioner, sender, partitions));
        used.add(partition!);
        expect(mine.map((r) => JSON.parse(r.value).value)).toEqual(
          Array.from({ length: perSender }, (_, n) => n),
        );
      }
      expect(used.size).toBeGreaterThan(1);
    },
  );
});
