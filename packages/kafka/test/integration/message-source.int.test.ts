import { randomUUID } from 'node:crypto';
import { BrokerClosedError, type SourceMessage, slotSet } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker, KafkaMessageSource, type KafkaMessageSourceOptions } from '../../src/index';
import { captureLogger } from '../capture-logger';
import { createTopic, deleteTopics, kafkaSingle, readTopic, uniqueTopic } from './kafka-services';

let brokers: string[];
const topics: string[] = [];

beforeAll(async () => {
  brokers = [(await kafkaSingle()).plaintext];
});

afterAll(async () => {
  if (brokers) await deleteTopics(brokers, topics);
});

async function topicWith(count: number, partitions = 1, senders = 1): Promise<string> {
  const topic = uniqueTopic('source');
  topics.push(topic);
  await createTopic(brokers, topic, { partitions });
  if (count > 0) await publish(topic, 0, count, senders);
  return topic;
}

async function publish(topic: string, from: number, count: number, senders = 1): Promise<void> {
  const broker = new KafkaEventBroker({ url: brokers, topic, partitionBySender: true });
  for (let n = from; n < from + count; n++) {
    broker.publish({ sender_id: `sender-${n % senders}`, ...slotSet('n', n, { timestamp: 1 + n }) });
  }
  await broker.flush(20_000);
  await broker.close();
}

const slotValue = (message: SourceMessage) => JSON.parse(message.body.toString('utf8')).value as number;

/**
 * A running consume(): collects deliveries, lets the test wait for a count, and stops on demand.
 */
function consuming(source: KafkaMessageSource, maxInFlight: number) {
  const delivered: SourceMessage[] = [];
  const waiters = new Set<() => void>();
  const controller = new AbortController();
  let joined = 0;
  const done = source.consume(
    (message) => {
      delivered.push(message);
      for (const wake of waiters) wake();
    },
    { maxInFlight, signal: controller.signal, onConsuming: () => joined++ },
  );
  return {
    delivered,
    done,
    /** How often the source said it started consuming (joined the group). */
    joined: () => joined,
    async until(count: number, timeoutMs = 30_000): Promise<SourceMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (delivered.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`got ${delivered.length} of ${count} messages in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
      return delivered.slice(0, count);
    },
    async stop(): Promise<void> {
      controller.abort();
      await done;
      await source.close();
    },
  };
}

function source(topic: string, options: Partial<KafkaMessageSourceOptions> = {}): KafkaMessageSource {
  return new KafkaMessageSource({
    url: brokers,
    topic,
    groupId: `group-${randomUUID()}`,
    fromBeginning: true,
    drainTimeoutMs: 500,
    ...options,
  });
}

describe('KafkaMessageSource', () => {
  it('delivers a partition in order with key, headers, position and meta', async () => {
    const topic = await topicWith(20);
    const run = consuming(source(topic), 100);
    const messages = await run.until(20);
    expect(run.joined()).toBe(1);
    expect(messages.map(slotValue)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const [first] = messages;
    expect(first!.key).toBe('sender-0');
    expect(first!.headers).toEqual({ RASA_ENVIRONMENT: expect.any(String) });
    expect(first!.position).toBe(`${topic}[0]@0`);
    expect(first!.meta).toMatchObject({ topic, partition: 0, offset: '0' });
    expect(first!.redelivered).toBe(false);
    // Its identity: the log position and the record's timestamp (a recreated topic reuses offsets).
    expect(first!.messageId).toBe(`kafka:${topic}[0]@0/${String(first!.meta.timestamp)}`);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(20);
    await Promise.all(messages.map((m) => m.settle({ outcome: 'ack' })));
    await run.stop();
  });

  it('backlog(): the group lag per partition, from the high watermark and the committed offsets', async () => {
    const topic = await topicWith(20, 2, 10);
    const lagOf = async (from: KafkaMessageSource) =>
      Object.fromEntries((await from.backlog()).map((entry) => [entry.partition, entry.messages]));
    const fresh = source(topic, { commitIntervalMs: 100 });
    // Nothing committed yet: from the beginning, everything waits.
    const before = await fresh.backlog();
    expect(before.every((entry) => entry.destination === topic)).toBe(true);
    expect(Object.keys(await lagOf(fresh)).sort()).toEqual(['0', '1']);
    expect(before.reduce((sum, entry) => sum + entry.messages, 0)).toBe(20);
    // A group that starts at the end has nothing waiting.
    const atEnd = source(topic, { fromBeginning: false });
    expect(await lagOf(atEnd)).toEqual({ 0: 0, 1: 0 });
    await atEnd.close();
    const run = consuming(fresh, 100);
    const messages = await run.until(20);
    const inFirst = messages.filter((m) => m.meta.partition === 0);
    const inSecond = messages.filter((m) => m.meta.partition === 1);
    expect(inFirst.length).toBeGreaterThan(0);
    expect(inSecond.length).toBeGreaterThan(0);
    await Promise.all(inFirst.map((m) => m.settle({ outcome: 'ack' })));
    await expect.poll(() => lagOf(fresh), { timeout: 10_000 }).toEqual({ 0: 0, 1: inSecond.length });
    await Promise.all(inSecond.map((m) => m.settle({ outcome: 'ack' })));
    await expect.poll(() => lagOf(fresh), { timeout: 10_000 }).toEqual({ 0: 0, 1: 0 });
    await run.stop();
    await expect(fresh.backlog()).rejects.toThrow(BrokerClosedError);
  });

  it('commits after handling: a restart redelivers exactly what was not settled before it, in order', async () => {
    const topic = await topicWith(10);
    const groupId = `group-${randomUUID()}`;
    const first = consuming(source(topic, { groupId }), 100);
    const messages = await first.until(10);
    // 0, 1, 2 and 4 are handled; 3 is not, so the commit stops before it even though 4 is done.
    for (const n of [0, 1, 2, 4]) await messages[n]!.settle({ outcome: 'ack' });
    await first.stop();

    const second = consuming(source(topic, { groupId }), 100);
    const again = await second.until(7);
    expect(again.map(slotValue)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    for (const message of again) await message.settle({ outcome: 'ack' });
    await second.stop();

    const third = consuming(source(topic, { groupId }), 100);
    await publish(topic, 10, 1);
    expect((await third.until(1)).map(slotValue)).toEqual([10]);
    await third.delivered[0]!.settle({ outcome: 'ack' });
    await third.stop();
  });

  it('never has more than maxInFlight messages unsettled', async () => {
    const topic = await topicWith(30);
    const run = consuming(source(topic), 5);
    const firstFive = await run.until(5);
    // Proves that nothing more arrives: time for several fetches of the 30 messages waiting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(run.delivered).toHaveLength(5);
    await firstFive[0]!.settle({ outcome: 'ack' });
    await firstFive[1]!.settle({ outcome: 'ack' });
    await run.until(7);
    // Proves again that the window holds: no eighth message while five stay unsettled.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(run.delivered).toHaveLength(7);
    expect(run.delivered.map(slotValue)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await run.stop();
  });

  it('dead-letters a copy with the reason and origin, awaits the ack, then counts the offset as handled', async () => {
    const topic = await topicWith(3);
    topics.push(`${topic}.dead-letter`);
    const groupId = `group-${randomUUID()}`;
    const consumer = source(topic, { groupId });
    expect(consumer.deadLetterTopic).toBe(`${topic}.dead-letter`);
    const run = consuming(consumer, 10);
    const [zero, one, two] = await run.until(3);
    await zero!.settle({ outcome: 'ack' });
    await one!.settle({ outcome: 'dead-letter', reason: 'handler failed: invalid slot' });
    await two!.settle({ outcome: 'ack' });
    await run.stop();

    const [letter] = await readTopic(brokers, `${topic}.dead-letter`, 1);
    expect(letter!.value).toBe(one!.body.toString('utf8'));
    expect(letter!.key).toBe('sender-0');
    expect(letter!.headers).toMatchObject({
      RASA_ENVIRONMENT: expect.any(String),
      'x-death-reason': 'handler failed: invalid slot',
      'x-original-topic': topic,
      'x-original-partition': '0',
      'x-original-offset': '1',
    });

    const after = consuming(source(topic, { groupId }), 10);
    await publish(topic, 3, 1);
    expect((await after.until(1)).map(slotValue)).toEqual([3]);
    await after.stop();
  });

  it('starts a new group from the latest offset unless fromBeginning', async () => {
    const topic = await topicWith(3);
    const logger = captureLogger();
    const latest = consuming(source(topic, { fromBeginning: false, logger }), 100);
    const deadline = Date.now() + 30_000;
    while (!logger.text().includes('joined group') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // The group settles on "latest" at its first fetch: keep publishing until the first event arrives.
    let next = 3;
    while (latest.delivered.length === 0 && Date.now() < deadline) {
      await publish(topic, next++, 1);
      await latest.until(1, 300).catch(() => undefined);
    }
    const firstValue = slotValue((await latest.until(1))[0]!);
    expect(firstValue).toBeGreaterThanOrEqual(3);
    expect(latest.delivered.map(slotValue).every((value) => value >= 3)).toBe(true);
    await latest.stop();

    const earliest = consuming(source(topic, { fromBeginning: true }), 100);
    expect((await earliest.until(next)).map(slotValue)).toEqual(Array.from({ length: next }, (_, n) => n));
    await earliest.stop();
  });

  it('keeps each partition in order across a multi-partition topic', async () => {
    const topic = await topicWith(90, 3, 9);
    const run = consuming(source(topic), 200);
    const messages = await run.until(90);
    for (let sender = 0; sender < 9; sender++) {
      const values = messages.filter((m) => m.key === `sender-${sender}`).map(slotValue);
      expect(values).toEqual(Array.from({ length: 10 }, (_, i) => sender + 9 * i));
    }
    for (const message of messages) await message.settle({ outcome: 'ack' });
    await run.stop();
  });

  it('close() ends a running consume (unsettled messages come again later) and refuses new ones', async () => {
    const topic = await topicWith(5);
    const consumer = source(topic);
    const delivered: SourceMessage[] = [];
    const done = consumer.consume((message) => delivered.push(message), {
      maxInFlight: 10,
      signal: new AbortController().signal,
    });
    const deadline = Date.now() + 30_000;
    while (delivered.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(delivered).toHaveLength(5);
    const started = performance.now();
    await consumer.close();
    await done;
    expect(performance.now() - started).toBeLessThan(10_000);
    const again = await consumer
      .consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal })
      .catch((caught: unknown) => caught);
    expect(BrokerClosedError.isInstance(again)).toBe(true);
  });

  it('builds from an endpoints section: the topic the broker publishes to, the group and the dead-letter topic', () => {
    const built = KafkaMessageSource.fromEndpointConfig(
      {
        section: 'event_broker',
        type: 'kafka',
        url: brokers,
        kwargs: { topic: 'bot-events' },
        consumed: {},
        file: undefined,
      },
      { groupId: 'analytics', deadLetter: 'bot-events.failed' },
    );
    expect(built.description).toBe('bot-events (group analytics)');
    expect(built.deadLetterTopic).toBe('bot-events.failed');
  });
});
