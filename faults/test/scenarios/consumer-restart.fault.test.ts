import { randomUUID } from 'node:crypto';
import { KafkaEventBroker } from '@broker/kafka';
import { PikaEventBroker } from '@broker/pika';
import { requireKafka, requireRabbitMq } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { type ConsumerScenarioOutcome, runConsumerRestartScenario } from '../../src/consumer-scenario';
import { createTopic } from '../../src/kafka-topics';
import { deleteQueue, deleteTopic } from '../../src/wire-readers';

function expectNothingLostOrReordered(outcome: ConsumerScenarioOutcome): void {
  expect(outcome.producerLosses, 'the producer lost events').toBe(0);
  expect(outcome.ledger.accepted).toBeGreaterThan(1500);
  expect(outcome.ledger.lostIds, `${outcome.ledger.lost} event(s) never handled`).toEqual([]);
  expect(outcome.ledger.reordered, 'conversations handled out of order').toEqual([]);
  expect(outcome.ledger.unexpected).toBe(0);
}

describe('our consumer (EventConsumer from @broker/consumers) killed mid-stream and restarted', () => {
  it('Kafka (same consumer group): every event handled, in per-conversation order; redeliveries counted', async () => {
    const kafka = await requireKafka('single');
    const brokers = [kafka.plaintext];
    const topic = await createTopic(brokers, 'consumer-restart', { partitions: 3, replicationFactor: 1 });
    try {
      const outcome = await runConsumerRestartScenario({
        scenario: {
          id: 'kafka-consumer-restart',
          title: 'consumer crash and restart',
          broker: 'Kafka',
          fault:
            'the consumer process is killed (SIGKILL) after 1,000 events and a new one joins the same group (session timeout 10 s)',
          recovery: 'consumer killed → the new process has handled every event accepted before the kill',
        },
        producer: new KafkaEventBroker({ url: brokers, topic, partitionBySender: true }),
        task: {
          broker: 'kafka',
          url: kafka.plaintext,
          topic,
          groupId: `faults-${randomUUID()}`,
          sessionTimeoutMs: 10_000,
        },
      });
      expectNothingLostOrReordered(outcome);
    } finally {
      await deleteTopic(brokers, topic);
    }
  });

  it('RabbitMQ (same queue): every event handled, in per-conversation order; redeliveries counted', async () => {
    const main = await requireRabbitMq('main');
    const name = `faults-consumer-restart-${randomUUID()}`;
    try {
      const outcome = await runConsumerRestartScenario({
        scenario: {
          id: 'rabbitmq-consumer-restart',
          title: 'consumer crash and restart',
          broker: 'RabbitMQ',
          fault:
            'the consumer process is killed (SIGKILL) after 1,000 events and a new one consumes the same queue',
          recovery: 'consumer killed → the new process has handled every event accepted before the kill',
        },
        producer: new PikaEventBroker({ host: main.url, queues: [name], exchangeName: name }),
        task: { broker: 'rabbitmq', url: main.url, queue: name, exchange: name },
      });
      expectNothingLostOrReordered(outcome);
    } finally {
      await deleteQueue(main.url, name, name);
    }
  });
});
