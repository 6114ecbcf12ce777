import { randomUUID } from 'node:crypto';
import { describeMessageSourceContract } from '@broker/core/testing';
import { beforeAll } from 'vitest';
import { KafkaMessageSource } from '../../src/index';
import { createTopic, deleteTopics, kafkaSingle, readTopic, testClient, uniqueTopic } from './kafka-services';

let brokers: string[];

beforeAll(async () => {
  brokers = [(await kafkaSingle()).plaintext];
});

describeMessageSourceContract('KafkaMessageSource on Kafka', {
  redelivers: true,
  timeoutMs: 30_000,
  async setup() {
    const topic = uniqueTopic('source-contract');
    const deadLetterTopic = `${topic}.dead-letter`;
    const groupId = `source-contract-${randomUUID()}`;
    await createTopic(brokers, topic);
    // A producer of this test only: one still connected would create the topic again on its next
    // metadata refresh after the teardown deleted it.
    const raw = testClient(brokers).producer({ idempotent: true });
    await raw.connect();
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
      teardown: async () => {
        await raw.disconnect();
        await deleteTopics(brokers, [topic, deadLetterTopic]);
      },
    };
  },
});
