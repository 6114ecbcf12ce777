import { randomUUID } from 'node:crypto';
import {
  createTopicWithLeaders,
  type KafkaCluster,
  type KafkaSingle,
  loadServices,
  removeKafkaResources,
  requireKafka,
  type Services,
} from 'broker-test-kit';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

export {
  clusterUp,
  killClusterBroker,
  startClusterBroker,
  stopClusterBroker,
} from 'broker-test-kit';

/** The single Kafka broker of `pnpm services:up`; fails (never skips) with how to start it. */
export function kafkaSingle(): Promise<KafkaSingle> {
  return requireKafka('single', { timeoutMs: 10_000 });
}

export function kafkaCluster(): Promise<KafkaCluster> {
  return requireKafka('cluster', { timeoutMs: 10_000 });
}

export function services(): Services {
  return loadServices();
}

/** A topic name no other test uses. */
export function uniqueTopic(label: string): string {
  return `kafka-test-${label}-${randomUUID()}`;
}

/** A plain kafkajs client for setting up and checking what is on the wire (not the code under test). */
export function testClient(brokers: string[], extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: 'broker-kafka-tests', brokers, logLevel: logLevel.NOTHING, ...extra });
}

export async function createTopic(
  brokers: string[],
  topic: string,
  options: { partitions?: number; replicationFactor?: number; config?: Record<string, string> } = {},
): Promise<void> {
  const admin = testClient(brokers).admin();
  await admin.connect();
  try {
    await createTopicWithLeaders(admin, {
      topic,
      numPartitions: options.partitions ?? 1,
      replicationFactor: options.replicationFactor ?? 1,
      configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics that exist among `topics` (with their dead-letter topics). */
export async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  await removeKafkaResources(brokers, { topics, timeoutMs: 10_000 });
}

export interface WireRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a throwaway consumer group until `count` records
 * arrived (resolves with them in per-partition order, each offset once) or `timeoutMs` passed
 * (rejects, saying how many arrived). `settle` keeps reading that long after, to catch extras.
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
  settle = 0,
): Promise<WireRecord[]> {
  const consumer = testClient(brokers).consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const records: WireRecord[] = [];
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`read ${records.length} of ${count} records from ${topic} within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            // A rebalance of this reader's own group can hand it a message twice; the topic has it once.
            const position = `${partition}:${message.offset}`;
            if (seen.has(position)) return;
            seen.add(position);
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            records.push({
              partition,
              offset: message.offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value?.toString('utf8') ?? '',
              headers,
            });
            if (records.length >= count) {
              clearTimeout(timer);
              // Optionally keep reading a little to catch duplicates.
              setTimeout(resolve, settle);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** An unsigned JWT for the broker's unsecured OAUTHBEARER validator (test services only). */
export function unsecuredJwt(subject: string, expiresInSeconds = 3600): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none' })}.${encode({ sub: subject, iat: now, exp: now + expiresInSeconds })}.`;
}
