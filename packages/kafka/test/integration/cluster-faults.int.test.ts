import { randomUUID } from 'node:crypto';
import { type SourceMessage, slotSet } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker, KafkaMessageSource } from '../../src/index';
import { captureLogger } from '../capture-logger';
import {
  clusterUp,
  createTopic,
  deleteTopics,
  kafkaCluster,
  killClusterBroker,
  readTopic,
  startClusterBroker,
  stopClusterBroker,
  testClient,
  uniqueTopic,
  type WireRecord,
} from './kafka-services';

type BrokerId = 1 | 2 | 3;
let brokers: string[];
const topics: string[] = [];

beforeAll(async () => {
  await clusterUp();
  brokers = (await kafkaCluster()).brokers;
}, 300_000);

afterAll(async () => {
  if (brokers) await deleteTopics(brokers, topics);
});

async function leaderOf(topic: string, partition: number): Promise<BrokerId> {
  const admin = testClient(brokers).admin();
  await admin.connect();
  try {
    const {
      topics: [metadata],
    } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = metadata!.partitions.find((p) => p.partitionId === partition)!.leader;
    return leader as BrokerId;
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once the broker confirmed at least `count` events (polls its counters; no fixed sleep). */
async function confirmed(broker: KafkaEventBroker, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (broker.stats().confirmed < count) {
    if (Date.now() > deadline) throw new Error(`only ${broker.stats().confirmed} of ${count} confirmed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every (sender, n) exactly once, each sender on one partition, in publish order. */
function expectExactlyOnceInOrder(records: WireRecord[], senders: number, perSender: number): void {
  const bySender = new Map<string, { partition: number; values: number[] }[]>();
  for (const record of records) {
    const list = bySender.get(record.key!) ?? [];
    list.push({ partition: record.partition, values: [JSON.parse(record.value).value] });
    bySender.set(record.key!, list);
  }
  expect(bySender.size).toBe(senders);
  for (const [sender, list] of bySender) {
    expect(new Set(list.map((r) => r.partition)).size, `${sender} spread over partitions`).toBe(1);
    expect(
      list.flatMap((r) => r.values),
      `${sender}: duplicates, gaps or reordering`,
    ).toEqual(Array.from({ length: perSender }, (_, n) => n));
  }
}

describe('on the 3-broker cluster (replication factor 3, min.insync.replicas 2)', () => {
  it.each([
    ['stopping (controlled shutdown)', stopClusterBroker],
    ['killing (SIGKILL)', killClusterBroker],
  ] as const)(
    '%s the partition leader mid-stream, then bringing it back: every accepted event exactly once, in per-sender order',
    async (_how, takeDown) => {
      const topic = uniqueTopic('leader-stop');
      topics.push(topic);
      await createTopic(brokers, topic, { partitions: 3, replicationFactor: 3 });
      const leader = await leaderOf(topic, 0);
      const logger = captureLogger();
      const broker = new KafkaEventBroker({ url: brokers, topic, partitionBySender: true, logger });
      const senders = 30;
      const perSender = 200;
      let next = 0;
      const publishSome = (rounds: number) => {
        for (let r = 0; r < rounds && next < perSender; r++, next++) {
          for (let s = 0; s < senders; s++)
            broker.publish({ sender_id: `s${s}`, ...slotSet('n', next, { timestamp: 1 + next }) });
        }
      };

      publishSome(50);
      await confirmed(broker, 30 * 20);
      // Keep publishing while the leader shuts down and while it is away.
      const stopping = takeDown(leader);
      while (next < 150) {
        publishSome(2);
        // Paces publishing (about 200 events/s) across the shutdown; not a wait for anything.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await stopping;
      // A killed broker loses its partitions only when the controller notices; keep publishing until then.
      const moved = Date.now() + 60_000;
      while ((await leaderOf(topic, 0)) === leader) {
        expect(Date.now(), 'partition 0 never got a new leader').toBeLessThan(moved);
        publishSome(1);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      publishSome(25);
      await startClusterBroker(leader);
      publishSome(perSender);
      await broker.flush(120_000);
      const report = await broker.close();
      expect(report.undelivered).toEqual([]);
      expect(broker.stats()).toMatchObject({
        published: senders * perSender,
        confirmed: senders * perSender,
        failed: 0,
        dropped: 0,
      });

      const records = await readTopic(brokers, topic, senders * perSender, 60_000, 1500);
      const duplicates =
        records.length - new Set(records.map((r) => `${r.key}/${JSON.parse(r.value).value}`)).size;
      expect(
        duplicates,
        `${duplicates} events are in the topic twice (${logger.text().match(/reset|sequence/gi)?.length ?? 0} sequence resets logged)`,
      ).toBe(0);
      expect(records).toHaveLength(senders * perSender);
      expectExactlyOnceInOrder(records, senders, perSender);
    },
    300_000,
  );

  it('a single broker down at start-up, then up: the buffered events arrive, in order', async () => {
    const topic = uniqueTopic('late-broker');
    topics.push(topic);
    await createTopic(brokers, topic, { partitions: 1, replicationFactor: 3 });
    await stopClusterBroker(1);
    let started = false;
    try {
      // Only broker 1 is named, so nothing can be reached until it is back.
      const broker = await KafkaEventBroker.create({
        url: brokers[0]!,
        topic,
        partitionBySender: true,
        startup: 'buffer',
      });
      for (let n = 0; n < 500; n++)
        broker.publish({ sender_id: 'early', ...slotSet('n', n, { timestamp: 1 + n }) });
      expect(broker.isReady()).toBe(false);
      expect(broker.stats()).toMatchObject({ pending: 500, confirmed: 0 });
      await startClusterBroker(1);
      started = true;
      await broker.flush(120_000);
      await broker.close();
      const records = await readTopic(brokers, topic, 500, 60_000, 500);
      expect(records.map((r) => JSON.parse(r.value).value)).toEqual(Array.from({ length: 500 }, (_, n) => n));
    } finally {
      if (!started) await startClusterBroker(1);
    }
  }, 300_000);

  it('KafkaMessageSource keeps consuming when a partition leader is killed: everything handled, each partition in order', async () => {
    const topic = uniqueTopic('source-failover');
    topics.push(topic);
    await createTopic(brokers, topic, { partitions: 3, replicationFactor: 3 });
    const senders = 30;
    const perSender = 100;
    const producer = new KafkaEventBroker({ url: brokers, topic, partitionBySender: true });
    for (let n = 0; n < perSender; n++) {
      for (let s = 0; s < senders; s++)
        producer.publish({ sender_id: `s${s}`, ...slotSet('n', n, { timestamp: 1 + n }) });
    }
    await producer.flush(60_000);
    await producer.close();

    const leader = await leaderOf(topic, 0);
    const source = new KafkaMessageSource({
      url: brokers,
      topic,
      groupId: `failover-${randomUUID()}`,
      fromBeginning: true,
      logger: captureLogger(),
    });
    const seen = new Map<string, number[]>();
    let unique = 0;
    let killed: Promise<unknown> | undefined;
    let allHandled: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => (allHandled = resolve));
    const controller = new AbortController();
    const consuming = source.consume(
      (message: SourceMessage) => {
        const values = seen.get(message.key!) ?? [];
        const value = JSON.parse(message.body.toString('utf8')).value as number;
        if (!values.includes(value)) unique++;
        values.push(value);
        seen.set(message.key!, values);
        // Handle asynchronously, as a sink would.
        setTimeout(() => void message.settle({ outcome: 'ack' }), 1);
        if (unique >= (senders * perSender) / 3 && !killed) killed = killClusterBroker(leader);
        if (unique === senders * perSender) allHandled();
      },
      { maxInFlight: 50, signal: controller.signal },
    );
    try {
      await Promise.race([
        handled,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`handled ${unique} of ${senders * perSender}`)), 180_000),
        ),
      ]);
    } finally {
      controller.abort();
      await consuming;
      await source.close();
      await killed;
      await startClusterBroker(leader);
    }
    expect(killed).toBeDefined();
    for (const [sender, values] of seen) {
      // Redeliveries replay a suffix of what came before; first deliveries are in order.
      const firsts = values.filter((value, i) => values.indexOf(value) === i);
      expect(firsts, `${sender} out of order`).toEqual(Array.from({ length: perSender }, (_, n) => n));
    }
  }, 300_000);
});
