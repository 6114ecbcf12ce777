import type { TcpProxy } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventConsumer } from '../../src/consumer/event-consumer';
import type { EventSink } from '../../src/sinks/event-sink';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { MemoryMessageSource } from '../helpers/memory-message-source';
import { proxiedUrl } from '../helpers/proxied-url';
import { waitFor, wireBody } from '../helpers/wire';

const schemas: string[] = [];
const proxies: TcpProxy[] = [];
function schema(): string {
  const name = uniqueSchema();
  schemas.push(name);
  return name;
}

beforeAll(requirePostgres);
afterAll(async () => {
  for (const proxy of proxies) await proxy.close().catch(() => {});
  for (const name of schemas) await dropSchema(name);
});

/** The stored bodies of each conversation, in `events.id` order (the order the store gives). */
async function storedByConversation(name: string): Promise<Map<string, string[]>> {
  const rows = await sql<{ sender_id: string; body_text: string }>(
    `SELECT sender_id, body_text FROM "${name}".events ORDER BY id`,
  );
  const stored = new Map<string, string[]>();
  for (const row of rows) stored.set(row.sender_id, [...(stored.get(row.sender_id) ?? []), row.body_text]);
  return stored;
}

/** Pushes `count` events spread over `conversations`; returns the bodies of each conversation in order. */
function pushEvents(
  source: MemoryMessageSource,
  count: number,
  conversations: number,
): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const sender = `pipe-${i % conversations}`;
    const body = wireBody(sender);
    expected.set(sender, [...(expected.get(sender) ?? []), body]);
    source.push(body, {}, `m${i}`);
  }
  return expected;
}

describe('EventConsumer into the PostgreSQL sink (pipelined)', () => {
  it('writes the next events of one conversation before the previous commit: stored in order, several per transaction, each acknowledged after its commit', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name, maxBatchSize: 100 });
    const committed = new Set<string>();
    const counted: EventSink = {
      name: sink.name,
      pipelined: sink.pipelined,
      write: (event) => sink.write(event).then(() => void committed.add(event.body)),
      close: () => sink.close(),
    };
    const source = new MemoryMessageSource();
    const ackedBeforeCommit: string[] = [];
    const record = source.settlements.push.bind(source.settlements);
    source.settlements.push = (...settled) => {
      for (const s of settled) if (!committed.has(s.body)) ackedBeforeCommit.push(s.body);
      return record(...settled);
    };
    const expected = pushEvents(source, 1000, 1);
    const consumer = new EventConsumer(source, { sink: counted, concurrency: 300, maxEvents: 1000 });
    const report = await consumer.run();
    await sink.close();
    expect(report.stats).toMatchObject({ handled: 1000, deadLettered: 0, inFlight: 0 });
    expect(await storedByConversation(name)).toEqual(expected);
    expect(ackedBeforeCommit).toEqual([]);
    // One conversation written one event at a time would take 1000 transactions.
    const [{ transactions } = { transactions: '0' }] = await sql<{ transactions: string }>(
      `SELECT count(DISTINCT xmin::text) AS transactions FROM "${name}".events`,
    );
    expect(Number(transactions)).toBeLessThan(100);
  });

  it('takes its window from the sink when no concurrency is given', async () => {
    const name = schema();
    const sink = await PostgresSink.open({
      databaseUrl: DATABASE_URL,
      schema: name,
      maxBatchSize: 50,
      maxConcurrentBatches: 3,
    });
    const source = new MemoryMessageSource();
    const expected = pushEvents(source, 400, 4);
    const report = await new EventConsumer(source, { sink, maxEvents: 400 }).run();
    await sink.close();
    expect(sink.preferredConcurrency).toBe(150);
    expect(source.maxInFlightSeen).toBe(150);
    expect(report.stats.handled).toBe(400);
    expect(await storedByConversation(name)).toEqual(expected);
  });

  it('a connection lost mid-stream: the events held back behind a failed one are written after it, every conversation in order, none lost or dead-lettered', async () => {
    const name = schema();
    const { proxy, url, restart } = await proxiedUrl(DATABASE_URL, 5432, proxies);
    const sink = await PostgresSink.open({ databaseUrl: url, schema: name, maxBatchSize: 50 });
    const source = new MemoryMessageSource();
    const expected = pushEvents(source, 3000, 3);
    const consumer = new EventConsumer(source, {
      sink,
      concurrency: 200,
      maxEvents: 3000,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    const run = consumer.run();
    await waitFor('some events stored', async () => consumer.stats().handled >= 300);
    await proxy.close();
    await waitFor('the consumer paused', async () => consumer.stats().paused);
    await restart();
    const report = await run;
    await sink.close();
    expect(report.stats).toMatchObject({ handled: 3000, deadLettered: 0, inFlight: 0, paused: false });
    expect(report.stats.outages).toBeGreaterThanOrEqual(1);
    expect(source.deadLetters).toEqual([]);
    expect(await storedByConversation(name)).toEqual(expected);
  }, 60_000);

  it('a row the database refuses is dead-lettered; the rest of its conversation is stored in order', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const source = new MemoryMessageSource();
    const good = Array.from({ length: 20 }, () => wireBody('refused'));
    // jsonb cannot hold \u0000: a real poison row, in the middle of its conversation.
    const bad =
      '{"sender_id": "refused", "event": "bot", "timestamp": 5, "text": "nul \\u0000 here", "data": null}';
    for (const body of good.slice(0, 10)) source.push(body);
    source.push(bad);
    for (const body of good.slice(10)) source.push(body);
    const controller = new AbortController();
    const run = new EventConsumer(source, { sink, signal: controller.signal }).run();
    await source.settledCount(21);
    controller.abort();
    const report = await run;
    await sink.close();
    expect(report.stats).toMatchObject({ handled: 20, deadLettered: 1 });
    expect(source.deadLetters.map((d) => d.body)).toEqual([bad]);
    expect(await storedByConversation(name)).toEqual(new Map([['refused', good]]));
  });
});
