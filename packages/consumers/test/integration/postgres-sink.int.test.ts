import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../src/consumer/consumed-event';
import { decodeMessage } from '../../src/consumer/decode-message';
import { PostgresConversationStore } from '../../src/sinks/postgres/postgres-conversation-store';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { rasaTurnLines, wireBody } from '../helpers/wire';

function consumed(body: string, position = 'test#1'): ConsumedEvent {
  const decoded = decodeMessage({
    body: Buffer.from(body),
    headers: { 'rasa-export-process-id': 'p1' },
    key: undefined,
    redelivered: false,
    position,
    meta: {},
    settle: async () => {},
  });
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.event;
}

const schemas: string[] = [];
function schema(): string {
  const name = uniqueSchema();
  schemas.push(name);
  return name;
}

beforeAll(requirePostgres);
afterAll(async () => {
  for (const name of schemas) await dropSchema(name);
});

describe('PostgresSink', () => {
  it('creates a versioned schema on first run and reuses it on the next', async () => {
    const name = schema();
    const first = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    await first.close();
    const second = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    await second.close();
    const versions = await sql(`SELECT version, name FROM "${name}".schema_version ORDER BY version`);
    expect(versions).toEqual([{ version: 1, name: 'conversations and events' }]);
    const tables = await sql<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [name],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['conversations', 'events', 'schema_version']);
  });

  it('stores a Rasa turn row by row, exactly as received, queryable per conversation in order', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const lines = rasaTurnLines();
    // Concurrent writes of one conversation would not happen (lanes), but batches must keep call order.
    await Promise.all(lines.map((line, i) => sink.write(consumed(line, `q#${i + 1}`))));
    await sink.close();
    const rows = await sql<Record<string, unknown>>(
      `SELECT sender_id, type, event_timestamp, body_text, body->>'event' AS json_event, headers, source_position
       FROM "${name}".events ORDER BY id`,
    );
    expect(rows).toHaveLength(8);
    rows.forEach((row, i) => {
      const wire = JSON.parse(lines[i] as string);
      expect(row).toEqual({
        sender_id: 'user-123',
        type: wire.event,
        event_timestamp: wire.timestamp,
        body_text: lines[i],
        json_event: wire.event,
        headers: { 'rasa-export-process-id': 'p1' },
        source_position: `q#${i + 1}`,
      });
    });
    const [conversation] = await sql(
      `SELECT sender_id, event_count, first_event_at, last_event_at FROM "${name}".conversations`,
    );
    expect(conversation).toEqual({
      sender_id: 'user-123',
      event_count: '8',
      first_event_at: JSON.parse(lines[0] as string).timestamp,
      last_event_at: JSON.parse(lines[7] as string).timestamp,
    });
    const store = await PostgresConversationStore.open({ databaseUrl: DATABASE_URL, schema: name });
    expect((await store.conversation('user-123')).map((e) => e.body)).toEqual(lines);
    expect(await store.conversationIds()).toEqual(['user-123']);
    await store.close();
  });

  it('stores a redelivered event once (idempotent) and counts it once', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const a = wireBody('a');
    const b = wireBody('a');
    await sink.write(consumed(a));
    await Promise.all([sink.write(consumed(a)), sink.write(consumed(b))]);
    await sink.write(consumed(b));
    await sink.close();
    expect(await sql(`SELECT body_text FROM "${name}".events ORDER BY id`)).toEqual([
      { body_text: a },
      { body_text: b },
    ]);
    expect(await sql(`SELECT event_count FROM "${name}".conversations`)).toEqual([{ event_count: '2' }]);
  });

  it('rejects only the row the database refuses and stores the rest of its batch', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const good = [wireBody('a'), wireBody('b')];
    // jsonb cannot hold \u0000: a real poison row.
    const bad =
      '{"sender_id": "c", "event": "bot", "timestamp": 5, "text": "nul \\u0000 here", "data": null}';
    const results = await Promise.allSettled([
      sink.write(consumed(good[0]!)),
      sink.write(consumed(bad)),
      sink.write(consumed(good[1]!)),
    ]);
    await sink.close();
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason;
    expect(reason).toMatchObject({ code: 'BROKER_SINK', canRetry: false });
    expect(reason.message).toMatch(/Cannot store the bot event of c .*unsupported Unicode escape sequence/);
    expect((await sql(`SELECT body_text FROM "${name}".events ORDER BY id`)).map((r) => r.body_text)).toEqual(
      good,
    );
  });

  it('names the database, hides the password, and says how to fix connection problems', async () => {
    await expect(
      PostgresSink.open({ databaseUrl: 'postgres://u:s3cret@127.0.0.1:1/test', schema: 'x' }),
    ).rejects.toThrowError(
      /PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/test is unreachable \(connection refused\)/,
    );
    await expect(
      PostgresSink.open({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/no_such_db_here', schema: 'x' }),
    ).rejects.toThrowError(/database "no_such_db_here" does not exist.*createdb/);
    await expect(PostgresSink.open({ databaseUrl: 'mysql://x', schema: 'x' })).rejects.toThrowError(
      /not a PostgreSQL URL/,
    );
    await expect(PostgresSink.open({ databaseUrl: DATABASE_URL, schema: 'bad-name' })).rejects.toThrowError(
      /schema name "bad-name" is not valid/,
    );
    await expect(
      PostgresConversationStore.open({ databaseUrl: DATABASE_URL, schema: 'no_such_schema_zz' }),
    ).rejects.toThrowError(/no conversation store in schema no_such_schema_zz/);
  });
});
