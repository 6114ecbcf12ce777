import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBroker, loadEndpoints } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../src/consumer/consumed-event';
import { createConsumer } from '../../src/consumer/event-consumer';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import {
  deleteRabbit,
  drainQueue,
  endpointsFile,
  loadServices,
  pikaEndpoint,
  publishRaw,
  queueDepth,
  rabbitNames,
  requireRabbitMq,
} from '../helpers/services';
import { rasaTurnLines, waitFor, wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];
const schemas: string[] = [];

function names() {
  const n = rabbitNames();
  created.push(n);
  return n;
}

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requirePostgres();
});

afterAll(async () => {
  for (const n of created) await deleteRabbit(url, n);
  for (const s of schemas) await dropSchema(s);
});

/** Resolves when `count` events were handled. */
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

describe('consuming RabbitMQ', () => {
  it('round trip: our PikaEventBroker -> the consumer, every event once, each conversation in order', async () => {
    const n = names();
    const endpoints = endpointsFile(pikaEndpoint(url, n));
    const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
    const published = new Map<string, string[]>();
    for (let i = 0; i < 300; i++) {
      const sender = `user-${i % 7}`;
      const body = wireBody(sender);
      published.set(sender, [...(published.get(sender) ?? []), body]);
      broker!.publish(body);
    }
    await broker!.flush(20_000);
    await broker!.close();

    const controller = new AbortController();
    const collect = collector(300);
    const consumer = await createConsumer({
      endpoints,
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
    expect(report.stats).toMatchObject({
      received: 300,
      handled: 300,
      deadLettered: 0,
      malformed: 0,
      inFlight: 0,
    });
    expect(await queueDepth(url, n.queue)).toBe(0);
  });

  it('reads what a Rasa server publishes (Python pika producer) into PostgreSQL, row by row', async () => {
    const n = names();
    const schema = uniqueSchema();
    schemas.push(schema);
    const lines = rasaTurnLines();
    const file = join(tmpdir(), `${n.queue}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const python = loadServices().python.executable ?? 'python3';
    const script = new URL('../fixtures/python/rasa_pika_producer.py', import.meta.url).pathname;
    const out = execFileSync(python, [script, url, n.exchange, n.queue, file], { encoding: 'utf8' });
    expect(out.trim()).toBe('8');

    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema });
    const controller = new AbortController();
    const collect = collector(8);
    const consumer = await createConsumer({
      endpoints: endpointsFile(pikaEndpoint(url, n)),
      handler: collect.handler,
      sink,
      signal: controller.signal,
    });
    const running = consumer.run();
    await collect.all;
    controller.abort();
    await running;
    await sink.close();

    const rows = await sql<{
      sender_id: string;
      type: string;
      event_timestamp: number;
      body_text: string;
      body: unknown;
    }>(`SELECT sender_id, type, event_timestamp, body_text, body FROM "${schema}".events ORDER BY id`);
    expect(rows).toHaveLength(8);
    rows.forEach((row, i) => {
      const line = lines[i] as string;
      const wire = JSON.parse(line);
      expect(row.body_text).toBe(line);
      expect(row.body).toEqual(wire);
      expect(row).toMatchObject({ sender_id: 'user-123', type: wire.event, event_timestamp: wire.timestamp });
    });
    expect(rows.map((r) => r.type)).toEqual([
      'action',
      'session_started',
      'action',
      'user',
      'slot',
      'user_featurization',
      'action',
      'bot',
    ]);
  });

  it('dead-letters poison messages with the reason and keeps consuming', async () => {
    const n = names();
    const endpoints = endpointsFile(pikaEndpoint(url, n));
    const good = wireBody('a');
    const poison = [
      'not json at all',
      '{"event": "bot", "timestamp": 1, "text": "no sender"}',
      '{"sender_id": "a", "event": "slot", "timestamp": 1}',
    ];
    const unknown =
      '{"sender_id": "a", "event": "flow_started", "timestamp": 2, "flow_id": "transfer_money"}';
    await publishRaw(url, n.queue, [...poison, unknown, good]);

    const controller = new AbortController();
    const collect = collector(2);
    const consumer = await createConsumer({ endpoints, handler: collect.handler, signal: controller.signal });
    const running = consumer.run();
    await collect.all;
    // Stop only once every message is settled (dead letters confirmed, originals acknowledged).
    await waitFor(
      'all five messages settled',
      () => consumer.stats().inFlight === 0 && consumer.stats().received === 5,
    );
    controller.abort();
    const report = await running;

    expect(collect.events.map((e) => e.event.event)).toEqual(['flow_started', 'bot']);
    expect(report.stats).toMatchObject({ malformed: 3, handled: 2 });
    const deadLetters = await drainQueue(url, `${n.queue}.dead-letter`);
    expect(deadLetters.map((d) => d.body)).toEqual(poison);
    expect(JSON.stringify(deadLetters.map((d) => d.headers))).toMatch(/not JSON/);
    expect(await drainQueue(url, n.queue)).toEqual([]);
  });

  it('retries a failing handler, then dead-letters the event; the conversation goes on in order', async () => {
    const n = names();
    const endpoints = endpointsFile(pikaEndpoint(url, n));
    const bodies = [wireBody('a'), wireBody('a'), wireBody('a')];
    await publishRaw(url, n.queue, bodies);
    const attempts: string[] = [];
    const controller = new AbortController();
    const collect = collector(2);
    const consumer = await createConsumer({
      endpoints,
      retry: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 50 },
      signal: controller.signal,
      handler: (e) => {
        attempts.push(e.body);
        if (e.body === bodies[1]) throw new Error('CRM unavailable');
        collect.handler(e);
      },
    });
    const running = consumer.run();
    await collect.all;
    controller.abort();
    const report = await running;
    expect(attempts).toEqual([bodies[0], bodies[1], bodies[1], bodies[1], bodies[2]]);
    expect(report.stats).toMatchObject({ handled: 2, retried: 2, deadLettered: 1 });
    const deadLetters = await drainQueue(url, `${n.queue}.dead-letter`);
    expect(deadLetters.map((d) => d.body)).toEqual([bodies[1]]);
    expect(JSON.stringify(deadLetters[0]?.headers)).toMatch(/handler failed 3 times: CRM unavailable/);
  });
});
