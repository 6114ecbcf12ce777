import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** A plain kafkajs client for setting up runs and watching arrivals (never the code under test). */
export function benchClient(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'bench-probe', brokers, logLevel: logLevel.NOTHING });
}

/** A fresh single-partition topic for one run, deleted afterwards. */
export async function withBenchTopic<T>(brokers: string[], run: (topic: string) => Promise<T>): Promise<T> {
  const admin = benchClient(brokers).admin();
  await admin.connect();
  const topic = `bench-${randomUUID()}`;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    return await run(topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The end-to-end probe: a kafkajs consumer (fresh group, from the beginning) on the run's
 * topic, the same for both sides, reporting each record's value as it arrives.
 * Resolves once the consumer joined its group, so the first events are not timed against the
 * join.
 */
export async function consumeArrivals(
  brokers: string[],
  topic: string,
  onArrival: (body: string) => void,
): Promise<() => Promise<void>> {
  const consumer = benchClient(brokers).consumer({
    groupId: `bench-probe-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) onArrival(message.value.toString('utf8'));
    },
  });
  await joined;
  return () => consumer.disconnect();
}
