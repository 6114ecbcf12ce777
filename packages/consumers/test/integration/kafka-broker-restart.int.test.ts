import { randomUUID } from 'node:crypto';
import { createEventBroker, type Logger, loadEndpoints } from '@broker/core';
import {
  type ClusterBrokerId,
  clusterUp,
  createTopicWithLeaders,
  killClusterBroker,
  requireKafka,
  startClusterBroker,
  stopClusterBroker,
} from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/event-consumer';
import { endpointsFile } from '../helpers/services';
import { waitFor, wireBody } from '../helpers/wire';

// The 3-broker cluster of services/kafka-cluster.sh (replication factor 3, min.insync.replicas 2),
// started on demand; never the single node on 9092, which other tests use.
let brokers: string[];
const topics: string[] = [];

function admin() {
  return new Kafka({ brokers, clientId: 'consumers-test', logLevel: logLevel.NOTHING }).admin();
}

beforeAll(async () => {
  await clusterUp();
  brokers = (await requireKafka('cluster', { timeoutMs: 10_000 })).brokers;
}, 300_000);

afterAll(async () => {
  if (!brokers || topics.length === 0) return;
  const client = admin();
  await client.connect();
  await client.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
  await client.disconnect();
});

async function leaderOf(topic: string, partition: number): Promise<number> {
  const client = admin();
  await client.connect();
  try {
    const { topics: found } = await client.fetchTopicMetadata({ topics: [topic] });
    return found[0]?.partitions.find((p) => p.partitionId === partition)?.leader ?? -1;
  } finally {
    await client.disconnect();
  }
}

/** The group's committed offset of each partition (-1: none). */
async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const client = admin();
  await client.connect();
  try {
    const [committed] = await client.fetchOffsets({ groupId, topics: [topic] });
    return new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await client.disconnect();
  }
}

/** Keeps what the consumer and its Kafka source log, to show when an assertion fails. */
function captureLogger(): Logger & { text(): string } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (first: unknown, message?: unknown): void => {
      const context = typeof first === 'string' ? {} : first;
      const text = typeof first === 'string' ? first : String(message ?? '');
      lines.push(
        `${level} ${text} ${JSON.stringify(context, (_k, v) => (v instanceof Error ? v.message : v))}`,
      );
    };
  const logger: Logger & { text(): string } = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
    text: () => lines.join('\n'),
  };
  return logger;
}

/** A gate the handler can wait at: `close()` makes every handler call wait until `open()`. */
function gate() {
  let opened = Promise.resolve();
  let release = () => {};
  return {
    close: () => {
      opened = new Promise<void>((resolve) => (release = resolve));
    },
    open: () => release(),
    pass: () => opened,
  };
}

describe('EventConsumer on the 3-broker Kafka cluster', () => {
  it.each([
    ['stopped (controlled shutdown)', stopClusterBroker],
    ['killed (SIGKILL)', killClusterBroker],
  ] as const)(
    'the partition leader %s mid-stream and started again: every event handled once, each conversation in order, redeliveries counted as duplicates, everything committed by the end',
    async (how, takeDown) => {
      const topic = `consumers-cluster-${randomUUID().slice(0, 8)}`;
      topics.push(topic, `${topic}.dead-letter`);
      const client = admin();
      await client.connect();
      await createTopicWithLeaders(client, { topic, numPartitions: 3, replicationFactor: 3 });
      await client.disconnect();
      const endpoints = endpointsFile({
        type: 'kafka',
        url: brokers.join(','),
        topic,
        security_protocol: 'PLAINTEXT',
        partition_by_sender: true,
      });

      const senders = 12;
      const perSender = 50;
      const total = senders * perSender;
      const producer = await createEventBroker(loadEndpoints(endpoints).eventBroker);
      const published = new Map<string, string[]>();
      for (let i = 0; i < total; i++) {
        const sender = `conversation-${i % senders}`;
        const body = wireBody(sender);
        published.set(sender, [...(published.get(sender) ?? []), body]);
        producer!.publish(body);
      }
      await producer!.flush(60_000);
      await producer!.close();

      // The leader of the partition with the most events is the one taken down.
      const offsetsClient = admin();
      await offsetsClient.connect();
      const ends = await offsetsClient.fetchTopicOffsets(topic);
      await offsetsClient.disconnect();
      const busiest = [...ends].sort((a, b) => Number(b.high) - Number(a.high))[0]!;
      expect(Number(busiest.high)).toBeGreaterThan(0);
      const leader = (await leaderOf(topic, busiest.partition)) as ClusterBrokerId;
      expect([1, 2, 3]).toContain(leader);

      const seen: string[] = [];
      const hold = gate();
      let heldAt = 0;
      const groupId = `consumers-cluster-${randomUUID()}`;
      const controller = new AbortController();
      const logger = captureLogger();
      const consumer = await createConsumer({
        logger,
        endpoints,
        sourceOptions: { groupId, fromBeginning: true },
        concurrency: 8,
        signal: controller.signal,
        handler: async (event) => {
          seen.push(event.body);
          // At a third and at two thirds, the handler stops with events in flight until released.
          if (seen.length === Math.floor(total / 3) || seen.length === Math.floor((2 * total) / 3)) {
            heldAt = seen.length;
            hold.close();
          }
          await hold.pass();
          await new Promise((resolve) => setTimeout(resolve, 1));
        },
      });
      const running = consumer.run();
      let restarted = false;
      try {
        await waitFor('a third handled, the rest held', () => heldAt === Math.floor(total / 3), 60_000);
        // The leader goes away while events are held in flight (delivered, not yet committed).
        await takeDown(leader);
        // A killed broker loses its partitions only when the controller notices.
        await waitFor(
          'a new leader for the partition',
          async () => ![leader, -1].includes(await leaderOf(topic, busiest.partition).catch(() => -1)),
          60_000,
        );
        hold.open();
        // Consuming goes on from the new leaders while the old one is down.
        await waitFor(
          'two thirds handled with the broker down',
          () => heldAt === Math.floor((2 * total) / 3),
          120_000,
        );
        // And it comes back while events are in flight again.
        await startClusterBroker(leader);
        restarted = true;
        hold.open();
        await waitFor('every event handled', () => new Set(seen).size === total, 120_000);
      } finally {
        hold.open();
        controller.abort();
        if (!restarted) await startClusterBroker(leader);
      }
      const report = await running;

      // Every event handled, once: a copy the broker delivered again never reached the handler...
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      // ...and each conversation was handled exactly in publication order, never going back.
      const handled = new Map<string, string[]>();
      for (const body of seen) {
        const sender = JSON.parse(body).sender_id as string;
        handled.set(sender, [...(handled.get(sender) ?? []), body]);
      }
      expect(handled).toEqual(published);
      // Deliveries beyond the events are exactly the duplicates it counted (and skipped).
      expect(report.stats).toMatchObject({
        handled: total,
        received: total + report.stats.duplicates,
        deadLettered: 0,
        malformed: 0,
        filtered: 0,
        inFlight: 0,
        unsettled: 0,
      });

      // What the group committed.
      const committedBefore = await committedOffsets(groupId, topic);
      const behind = ends.reduce(
        (sum, end) => sum + Number(end.high) - Math.max(0, committedBefore.get(end.partition) ?? 0),
        0,
      );
      // Commits that failed while the coordinator moved were retried until they went through,
      // and stopping committed the rest: the group is at the end of every partition.
      expect(
        behind,
        `${how}: ` +
          logger
            .text()
            .split('\n')
            .filter((line) => line.includes('committing consumer offsets failed'))
            .join('\n'),
      ).toBe(0);
      // One marker per conversation after everything else: when all are in, every partition
      // delivered what lay before them.
      const markers = new Set<string>();
      const markerBroker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
      for (const sender of published.keys()) {
        const body = wireBody(sender, 'restart');
        markers.add(body);
        markerBroker!.publish(body);
      }
      await markerBroker!.flush(60_000);
      await markerBroker!.close();
      const again: string[] = [];
      const markersSeen = new Set<string>();
      const nextController = new AbortController();
      const nextLogger = captureLogger();
      const next = await createConsumer({
        endpoints,
        // A partition the group never committed starts from the beginning, not at the end.
        sourceOptions: { groupId, fromBeginning: true },
        logger: nextLogger,
        signal: nextController.signal,
        handler: (event) => {
          if (markers.has(event.body)) markersSeen.add(event.body);
          else again.push(event.body);
        },
      });
      const nextRun = next.run();
      // The group may first wait for the old member to time out (when its leave was lost).
      await waitFor(
        'the markers of every conversation',
        () => markersSeen.size === markers.size,
        120_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${nextLogger.text()}`);
      });
      nextController.abort();
      await nextRun;
      expect(again).toHaveLength(behind);
      // Per conversation, what came again is the end of what it had handled, in order.
      for (const [sender, bodies] of published) {
        const redelivered = again.filter((body) => JSON.parse(body).sender_id === sender);
        expect(redelivered).toEqual(redelivered.length === 0 ? [] : bodies.slice(-redelivered.length));
      }
      // With no fault, that consumer committed everything: the group is at the end of every partition.
      const check = admin();
      await check.connect();
      const endsAfter = await check.fetchTopicOffsets(topic);
      await check.disconnect();
      const committedAfter = await committedOffsets(groupId, topic);
      for (const end of endsAfter) expect(committedAfter.get(end.partition)).toBe(Number(end.high));
    },
    300_000,
  );
});
