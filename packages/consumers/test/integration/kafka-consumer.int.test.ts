import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBroker, loadEndpoints } from '@broker/core';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../src/consumer/consumed-event';
import { createConsumer } from '../../src/consumer/event-consumer';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { endpointsFile, kafkaEndpoint, loadServices, requireKafka } from '../helpers/services';
import { rasaTurnLines, waitFor, wireBody } from '../helpers/wire';

let bootstrap: string;
const topics: string[] = [];
const schemas: string[] = [];

function topic(): string {
  const name = `consumers-test-${randomUUID().slice(0, 8)}`;
  topics.push(name, `${name}.dead-letter`);
  return name;
}

function admin() {
  return new Kafka({ brokers: [bootstrap], clientId: 'consumers-test', logLevel: logLevel.NOTHING }).admin();
}

async function createTopic(name: string, partitions = 3): Promise<void> {
  const client = admin();
  await client.connect();
  await client.createTopics({ topics: [{ topic: name, numPartitions: partitions }] });
  // A loaded broker may take a moment to elect leaders; wait for them rather than fail.
  await waitFor(`leaders of ${name}`, async () => {
    const metadata = await client.fetchTopicMetadata({ topics: [name] }).catch(() => undefined);
    const found = metadata?.topics[0]?.partitions ?? [];
    return found.length === partitions && found.every((p) => p.leader >= 0);
  });
  await client.disconnect();
}

/** Every message now in `name` (for dead letters). */
async function readTopic(
  name: string,
  count: number,
): Promise<{ value: string; headers: Record<string, string> }[]> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'consumers-test', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: true });
  const out: { value: string; headers: Record<string, string> }[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({ value: message.value?.toString('utf8') ?? '', headers });
    },
  });
  await waitFor(`${count} messages in ${name}`, () => out.length >= count, 30_000);
  await consumer.disconnect();
  return out;
}

function collector(count: number) {
  const events: ConsumedEvent[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  return {
    events,
    all,
    handler: (event: ConsumedEvent) => {
      events.push(event);
      if (events.length === count) done();
    },
  };
}

beforeAll(async () => {
  bootstrap = (await requireKafka('single')).plaintext;
  await requirePostgres();
});

afterAll(async () => {
  const client = admin();
  await client.connect();
  const existing = new Set(await client.listTopics());
  await client.deleteTopics({ topics: topics.filter((t) => existing.has(t)) }).catch(() => {});
  await client.disconnect();
  for (const s of schemas) await dropSchema(s);
});

describe('consuming Kafka', () => {
  it('round trip: our KafkaEventBroker -> the consumer (group, from the beginning), each conversation in order', async () => {
    const name = topic();
    await createTopic(name);
    const endpoints = endpointsFile(kafkaEndpoint(name));
    const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
    const published = new Map<string, string[]>();
    for (let i = 0; i < 300; i++) {
      const sender = `user-${i % 7}`;
      const body = wireBody(sender);
      published.set(sender, [...(published.get(sender) ?? []), body]);
      broker!.publish(body);
    }
    await broker!.flush(30_000);
    await broker!.close();

    const controller = new AbortController();
    const collect = collector(300);
    const consumer = await createConsumer({
      endpoints,
      sourceOptions: { groupId: `g-${name}`, fromBeginning: true },
      handler: collect.handler,
      concurrency: 16,
      signal: controller.signal,
    });
    const running = consumer.run();
    await collect.all;
    controller.abort();
    const report = await running;
    const received = new Map<string, string[]>();
    for (const e of collect.events) received.set(e.senderId, [...(received.get(e.senderId) ?? []), e.body]);
    expect(received).toEqual(published);
    expect(report.stats).toMatchObject({ handled: 300, deadLettered: 0, malformed: 0, inFlight: 0 });
    // Committed after handling: the same group gets nothing more.
    const again = await createConsumer({
      endpoints,
      sourceOptions: { groupId: `g-${name}`, fromBeginning: true },
      handler: () => {
        throw new Error('nothing should be redelivered');
      },
      maxEvents: 1,
    });
    const second = again.run();
    const broker2 = await createEventBroker(loadEndpoints(endpoints).eventBroker);
    const marker = wireBody('marker');
    broker2!.publish(marker);
    await broker2!.flush(30_000);
    await broker2!.close();
    const secondReport = await second;
    expect(secondReport.stats.received).toBe(1);
  });

  it('reads what a Rasa server publishes (Python kafka producer) into PostgreSQL, row by row', async () => {
    const name = topic();
    await createTopic(name, 1);
    const schema = uniqueSchema();
    schemas.push(schema);
    const lines = rasaTurnLines();
    const file = join(tmpdir(), `${name}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const python = loadServices().python.executable ?? 'python3';
    const script = new URL('../fixtures/python/rasa_kafka_producer.py', import.meta.url).pathname;
    expect(execFileSync(python, [script, bootstrap, name, file], { encoding: 'utf8' }).trim()).toBe('8');

    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema });
    const controller = new AbortController();
    const collect = collector(8);
    const consumer = await createConsumer({
      endpoints: endpointsFile(kafkaEndpoint(name)),
      sourceOptions: { groupId: `g-${name}`, fromBeginning: true },
      handler: collect.handler,
      sink,
      signal: controller.signal,
    });
    const running = consumer.run();
    await collect.all;
    controller.abort();
    await running;
    await sink.close();
    expect(collect.events[0]?.headers).toMatchObject({ RASA_ENVIRONMENT: 'RASA_ENVIRONMENT_NOT_SET' });
    expect(collect.events[0]?.key).toBe('user-123');
    const rows = await sql<{
      sender_id: string;
      type: string;
      event_timestamp: number;
      body_text: string;
      headers: unknown;
    }>(`SELECT sender_id, type, event_timestamp, body_text, headers FROM "${schema}".events ORDER BY id`);
    expect(rows.map((r) => r.body_text)).toEqual(lines);
    rows.forEach((row, i) => {
      const wire = JSON.parse(lines[i] as string);
      expect(row).toMatchObject({ sender_id: 'user-123', type: wire.event, event_timestamp: wire.timestamp });
      expect(row.headers).toMatchObject({ RASA_ENVIRONMENT: 'RASA_ENVIRONMENT_NOT_SET' });
    });
  });

  it('dead-letters poison messages and failing events to <topic>.dead-letter with the reason', async () => {
    const name = topic();
    await createTopic(name, 1);
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'consumers-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const failing = wireBody('a');
    const good = wireBody('a');
    const poison = ['{not json', '{"event": "bot", "timestamp": 1, "text": "x"}'];
    await producer.send({ topic: name, messages: [...poison, failing, good].map((value) => ({ value })) });
    await producer.disconnect();

    const controller = new AbortController();
    const collect = collector(1);
    const consumer = await createConsumer({
      endpoints: endpointsFile(kafkaEndpoint(name)),
      sourceOptions: { groupId: `g-${name}`, fromBeginning: true },
      retry: { maxRetries: 1, initialDelayMs: 5, maxDelayMs: 10 },
      signal: controller.signal,
      handler: (e) => {
        if (e.body === failing) throw new Error('warehouse rejected it');
        collect.handler(e);
      },
    });
    const running = consumer.run();
    await collect.all;
    await waitFor(
      'all four settled',
      () => consumer.stats().received === 4 && consumer.stats().inFlight === 0,
    );
    controller.abort();
    const report = await running;
    expect(report.stats).toMatchObject({ handled: 1, malformed: 2, deadLettered: 1, retried: 1 });
    const deadLetters = await readTopic(`${name}.dead-letter`, 3);
    // Dead letters are produced as each message gives up, not in the topic's order.
    expect(deadLetters.map((d) => d.value).sort()).toEqual([...poison, failing].sort());
    expect(JSON.stringify(deadLetters.map((d) => d.headers))).toMatch(
      /handler failed 2 times: warehouse rejected it/,
    );
  });
});
