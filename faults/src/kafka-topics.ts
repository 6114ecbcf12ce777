import { randomUUID } from 'node:crypto';
import { createTopicWithLeaders } from 'broker-test-kit';
import { kafkaClient } from './wire-readers';

/** A fresh topic for one scenario; returns its name. */
export async function createTopic(
  brokers: string[],
  label: string,
  options: { partitions: number; replicationFactor: number },
): Promise<string> {
  const topic = `faults-${label}-${randomUUID()}`;
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await createTopicWithLeaders(admin, {
      topic,
      numPartitions: options.partitions,
      replicationFactor: options.replicationFactor,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** The node id that leads `partition` of `topic` right now. */
export async function leaderOf(brokers: string[], topic: string, partition: number): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0) throw new Error(`${topic}[${partition}] has no leader`);
    return leader;
  } finally {
    await admin.disconnect();
  }
}
