import { randomUUID } from 'node:crypto';
import { removeKafkaResources, removeRabbitResources } from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';

export type RunDestination =
  | { kind: 'none' }
  | { kind: 'pika'; exchange: string; queue: string }
  | { kind: 'kafka'; topic: string };

/**
 * A fresh queue (and exchange) or topic for one run, deleted afterwards with what it holds, so
 * runs never read or fill each other's.
 */
export async function withRunDestination<T>(
  kind: RunDestination['kind'],
  services: { rabbitUrl: string; kafkaBrokers: string[] },
  run: (destination: RunDestination) => Promise<T>,
): Promise<T> {
  const id = randomUUID();
  if (kind === 'none') return run({ kind });
  if (kind === 'pika') {
    const destination = { kind, exchange: `bench-tracker-${id}`, queue: `bench-tracker-${id}` } as const;
    try {
      return await run(destination);
    } finally {
      await removeRabbitResources(services.rabbitUrl, {
        queues: [destination.queue],
        exchanges: [destination.exchange],
      });
    }
  }
  const admin = new Kafka({
    clientId: 'bench-admin',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const topic = `bench-tracker-${id}`;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    return await run({ kind, topic });
  } finally {
    await admin.disconnect();
    await removeKafkaResources(services.kafkaBrokers, { topics: [topic] });
  }
}
