import { createRequire } from 'node:module';
import { noopLogger } from '@broker/core';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { ProducerRecord } from '../src/client/kafka-client';
import { KafkajsProducerClient } from '../src/kafkajs/kafkajs-producer-client';
import { kafkajsLogCreator } from '../src/kafkajs/log-bridge';

// kafkajs's own producer (not part of its public API, hence require): the duplicates come from
// how its sendMessages fans one send out to several leaders, so the test drives the real code
// against a small in-process cluster instead of a model of kafkajs.
const require = createRequire(import.meta.url);
const createProducer = require('kafkajs/src/producer') as (options: Record<string, unknown>) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors') as {
  KafkaJSConnectionError: new (message: string) => Error;
};
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger(options: { level: number; logCreator: unknown }): unknown;
  LEVELS: Record<'NOTHING' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG', number>;
};

interface ProduceRequest {
  producerId: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: unknown[] }[];
  }[];
}

/**
 * Partition leaders that keep an idempotent producer's state as Kafka does: a batch whose first
 * sequence number was already written is acknowledged without being written again; the next
 * sequence number is appended. `log` is what a consumer would read.
 */
class IdempotentPartitions {
  readonly log = new Map<number, string[]>();
  private readonly nextSequence = new Map<number, number>();
  private readonly written = new Map<number, Set<number>>();

  write(partition: number, firstSequence: number, values: string[]): void {
    const written = this.written.get(partition) ?? new Set<number>();
    this.written.set(partition, written);
    if (written.has(firstSequence)) return;
    const expected = this.nextSequence.get(partition) ?? 0;
    if (firstSequence !== expected) throw new Error(`out of order: ${firstSequence}, expected ${expected}`);
    written.add(firstSequence);
    this.nextSequence.set(partition, expected + values.length);
    this.log.set(partition, [...(this.log.get(partition) ?? []), ...values]);
  }
}

/**
 * Three partitions: 0 and 1 led by broker 1, 2 by broker 2. Broker 2 drops the connection on
 * its first produce request; broker 1 answers its first one only after that failure, when
 * kafkajs has already moved on. That is the leader kill the cluster fault test provokes.
 */
function clusterWithOneFailingLeader() {
  const partitions = new IdempotentPartitions();
  const leaders = [1, 1, 2];
  let failBroker2: () => void = () => {};
  const broker2Failed = new Promise<void>((resolve) => (failBroker2 = resolve));
  const requests: { broker: number; partitions: number[] }[] = [];
  const answered = { 1: 0, 2: 0 };

  const broker = (nodeId: 1 | 2) => ({
    nodeId,
    initProducerId: async () => ({ producerId: 7, producerEpoch: 0 }),
    produce: async ({ topicData }: ProduceRequest) => {
      const parts = topicData.flatMap((t) => t.partitions);
      requests.push({ broker: nodeId, partitions: parts.map((p) => p.partition) });
      const attempt = ++answered[nodeId];
      if (nodeId === 2 && attempt === 1) {
        failBroker2();
        throw new KafkaJSConnectionError('Connection closed');
      }
      if (nodeId === 1 && attempt === 1) {
        await broker2Failed;
        // Answers after the failure has reached the send (the order that duplicated): a sleep
        // because kafkajs gives no hook between the two.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const p of parts) {
        partitions.write(
          p.partition,
          p.firstSequence,
          p.messages.map((m) => String((m as { value: unknown }).value)),
        );
      }
      return {
        topics: topicData.map((t) => ({
          topicName: t.topic,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers = { 1: broker(1), 2: broker(2) };
  const cluster = {
    retry: {},
    targetTopics: new Set<string>(),
    isConnected: () => true,
    connect: async () => {},
    disconnect: async () => {},
    refreshMetadata: async () => {},
    refreshMetadataIfNecessary: async () => {},
    addMultipleTargetTopics: async (topics: string[]) => {
      for (const topic of topics) cluster.targetTopics.add(topic);
    },
    findTopicPartitionMetadata: () =>
      leaders.map((leader, partitionId) => ({ partitionId, leader, replicas: [1, 2], isr: [1, 2] })),
    findLeaderForPartitions: (_topic: string, ids: string[]) => {
      const perLeader: Record<number, number[]> = {};
      for (const id of ids) {
        const leader = leaders[Number(id)]!;
        perLeader[leader] = [...(perLeader[leader] ?? []), Number(id)];
      }
      return perLeader;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[Number(nodeId) as 1 | 2],
    findControllerBroker: async () => brokers[1],
    removeBroker: () => {},
  };
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: kafkajsLogCreator(noopLogger) });
  const kafka = {
    producer: (options: Record<string, unknown>) => createProducer({ ...options, cluster, logger }),
  } as unknown as Kafka;
  return { kafka, partitions, requests };
}

function records(count: number): ProducerRecord[] {
  return Array.from({ length: count }, (_, n) => ({
    key: null,
    value: `event-${n}`,
    headers: {},
    // Spread over the three partitions, as keys would be.
    partition: n % 3,
  }));
}

describe('KafkajsProducerClient when one partition leader fails mid-send', () => {
  it('sends each request to a single leader, so a retry never writes a record twice', async () => {
    const { kafka, partitions, requests } = clusterWithOneFailingLeader();
    const client = new KafkajsProducerClient(
      kafka,
      { idempotent: true, acks: -1, partitioner: 'crc32', retryBackoffMs: 5, retryBackoffMaxMs: 20 },
      noopLogger,
    );
    await client.connect();
    const batch = records(9);

    let pending: readonly ProducerRecord[] = batch;
    for (let round = 0; pending.length > 0; round++) {
      expect(round, 'rounds of resending').toBeLessThan(10);
      // What the broker's send loop does: resend only what is not acknowledged.
      pending = (await client.send('events', pending)).unacknowledged;
    }

    expect(Object.fromEntries(partitions.log)).toEqual({
      0: ['event-0', 'event-3', 'event-6'],
      1: ['event-1', 'event-4', 'event-7'],
      2: ['event-2', 'event-5', 'event-8'],
    });
    for (const request of requests) {
      const byLeader = new Set(request.partitions.map((p) => (p === 2 ? 2 : 1)));
      expect(byLeader.size, `request to broker ${request.broker} for partitions ${request.partitions}`).toBe(
        1,
      );
    }
  });
});
