import { randomUUID } from 'node:crypto';
import { describeMessageSourceContract } from '@broker/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { KafkaMessageSource } from '../../src/index';
import { createTopic, deleteTopics, kafkaSingle, readTopic, testClient, uniqueTopic } from './kafka-services';

let brokers: string[];
const producer = () => testClient(brokers).producer({ idempotent: true });
let raw: ReturnType<typeof producer>;

beforeAll(async () => {
  brokers = [(await kafkaSingle()).plaintext];
  raw = producer();
  await raw.connect();
});

afterAll(async () => {
  await raw?.disconnect();
});

describeMessageSourceContract('KafkaMessageSource on Kafka', {
  redelivers: true,
  timeoutMs: 30_000,
  async setup() {
    const topic = uniqueTopic('source-contract');
    const deadLetterTopic = `${topic}.dead-letter`;
    const groupId = `source-contract-${randomUUID()}`;
    await createTopic(brokers, topic);
    return {
      open: () =>
        new KafkaMessageSource({
          url: brokers,
          topic,
          groupId,
          fromBeginning: true,
          drainTimeoutMs: 200,
          commitIntervalMs: 0,
        }),
      publish: async (bodies) => {
        await raw.send({ topic, acks: -1, messages: bodies.map((value) => ({ key: 'contract', value })) });
      },
      readDeadLetters: async (count, timeoutMs) =>
        (await readTopic(brokers, deadLetterTopic, count, timeoutMs)).map((record) => record.value),
      teardown: () => deleteTopics(brokers, [topic, deadLetterTopic]),
    };
  },
});
