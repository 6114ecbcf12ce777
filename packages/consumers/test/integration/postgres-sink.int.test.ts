import { ConfigError, ConnectionError } from '@broker/core';
import { TcpProxy } from 'broker-test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../src/consumer/consumed-event';
import { decodeMessage } from '../../src/consumer/decode-message';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/sinks/postgres/migrations';
import { PostgresConversationStore } from '../../src/sinks/postgres/postgres-conversation-store';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { rasaTurnLines, waitFor, wireBody } from '../helpers/wire';

function consumed(
  body: string,
  position = 'test#1',
  delivery: { redelivered?: boolean; messageId?: string } = {},
): ConsumedEvent {
  const decoded = decodeMessage({
    body: Buffer.from(body),
    headers: { 'rasa-export-process-id': 'p1' },
    key: undefined,
    redelivered: delivery.redelivered ?? false,
    messageId: delivery.messageId,
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

/** The bodies of each transaction that inserted events (rows of one transaction share its xmin), in id order. */
async function transactions(name: string): Promise<string[][]> {
  const rows = await sql<{ tx: string; body_text: string }>(
    `SELECT xmin::text AS tx, body_text FROM "${name}".events ORDER BY id`,
  );
  const byTransaction = new Map<string, string[]>();
  for (const row of rows) byTransaction.set(row.tx, [...(byTransaction.get(row.tx) ?? []), row.body_text]);
  return [...byTransaction.values()];
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function storedRows(name: string): Promise<number> {
  const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${name}".events`);
  return Number(row?.n);
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
    expect(versions).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
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

  it('stores identical events that are not redeliveries, each one, and counts them', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const listen =
      '{"sender_id": "a", "event": "action", "timestamp": 1716801234.5, "name": "action_listen"}';
    await sink.write(consumed(listen, 'q#1'));
    await sink.write(consumed(wireBody('a'), 'q#2'));
    await sink.write(consumed(listen, 'q#3'));
    await sink.close();
    expect(
      (await sql(`SELECT source_position FROM "${name}".events ORDER BY id`)).map((r) => r.source_position),
    ).toEqual(['q#1', 'q#2', 'q#3']);
    expect(await sql(`SELECT event_count FROM "${name}".conversations`)).toEqual([{ event_count: '3' }]);
  });

  it('skips a redelivered copy of a stored body, and a copy of a stored message id, and counts them once', async () => {
    const name = schema();
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    const a = wireBody('a');
    const b = wireBody('a');
    await sink.write(consumed(a, 'q#1'));
    // RabbitMQ delivers a again (its ack was lost), together with b.
    await Promise.all([
      sink.write(consumed(a, 'q#2', { redelivered: true })),
      sink.write(consumed(b, 'q#3')),
    ]);
    // A Kafka record stored, then delivered again to another consumer (not flagged redelivered there).
    const c = wireBody('a');
    const seven = 'kafka:events[0]@7/1716801234567';
    await sink.write(consumed(c, 'events[0]@7', { messageId: seven }));
    await sink.write(consumed(c, 'events[0]@7', { messageId: seven }));
    // A redelivered record whose body equals a stored one, with another offset: another event.
    const nine = 'kafka:events[0]@9/1716801234599';
    await sink.write(consumed(c, 'events[0]@9', { messageId: nine, redelivered: true }));
    await sink.close();
    expect(
      await sql(`SELECT body_text, source_position, source_message_id FROM "${name}".events ORDER BY id`),
    ).toEqual([
      { body_text: a, source_position: 'q#1', source_message_id: null },
      { body_text: b, source_position: 'q#3', source_message_id: null },
      { body_text: c, source_position: 'events[0]@7', source_message_id: seven },
      { body_text: c, source_position: 'events[0]@9', source_message_id: nine },
    ]);
    expect(await sql(`SELECT event_count FROM "${name}".conversations`)).toEqual([{ event_count: '4' }]);
  });

  it('writes an event again after a COMMIT whose answer was lost without storing it twice', async () => {
    const name = schema();
    const direct = new URL(DATABASE_URL);
    const proxy = await TcpProxy.start(direct.hostname, Number(direct.port || 5432));
    const through = new URL(DATABASE_URL);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const sink = await PostgresSink.open({
      databaseUrl: through.toString(),
      schema: name,
      maxConcurrentBatches: 1,
    });
    let restarted: TcpProxy | undefined;
    try {
      const event = consumed(wireBody('commit-lost'), 'q#1');
      // Every answer of PostgreSQL now takes a second to come back through the proxy.
      proxy.slow(1000);
      const write = sink.write(event);
      write.catch(() => undefined);
      let pid: number | undefined;
      await waitFor('the sink inserting', async () => {
        // New events go in with COPY.
        const rows = await sql<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query LIKE $1', [
          `%COPY "${name}".events%`,
        ]);
        pid = rows[0]?.pid;
        return pid !== undefined;
      });
      await waitFor('PostgreSQL having committed', async () => {
        const rows = await sql(
          "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query = 'COMMIT' AND state = 'idle'",
          [pid],
        );
        return rows.length > 0;
      });
      // The answer to COMMIT is still in the proxy: the connection drops before it arrives.
      await proxy.close();
      expect(
        ConnectionError.isInstance(
          await write.then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      ).toBe(true);
      expect(await storedRows(name)).toBe(1);
      restarted = await TcpProxy.start(direct.hostname, Number(direct.port || 5432), proxy.port);
      // The consumer writes the same delivery again: it is not stored a second time.
      await sink.write(event);
      await sink.close();
      expect(await storedRows(name)).toBe(1);
    } finally {
      await restarted?.close();
    }
  });

  it('upgrades a version 1 store: its rows stay, identical events are stored, redelivered copies of its rows skipped', async () => {
    const name = schema();
    const s = `"${name}"`;
    const [first] = MIGRATIONS;
    // The store as version 1 left it, with one event.
    await sql(`CREATE SCHEMA ${s}`);
    await sql(
      `CREATE TABLE ${s}.schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await sql(first!.sql(s));
    await sql(`INSERT INTO ${s}.schema_version (version, name) VALUES (1, $1)`, [first!.name]);
    const old = wireBody('a');
    await sql(`INSERT INTO ${s}.conversations (sender_id, event_count) VALUES ('a', 1)`);
    await sql(
      `INSERT INTO ${s}.events (sender_id, type, event_timestamp, body, body_text, body_sha256, source_position)
       VALUES ('a', 'bot', $2, $1::text::jsonb, $1::text, encode(sha256(convert_to($1::text, 'UTF8')), 'hex'), 'q#1')`,
      [old, JSON.parse(old).timestamp],
    );
    const sink = await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name });
    await sink.write(consumed(old, 'q#1', { redelivered: true }));
    await sink.write(consumed(old, 'q#2'));
    await sink.close();
    expect(
      (await sql(`SELECT version FROM ${s}.schema_version ORDER BY version`)).map((r) => r.version),
    ).toEqual([1, 2]);
    expect(await sql(`SELECT body_text, source_position FROM ${s}.events ORDER BY id`)).toEqual([
      { body_text: old, source_position: 'q#1' },
      { body_text: old, source_position: 'q#2' },
    ]);
    expect(await sql(`SELECT event_count FROM ${s}.conversations`)).toEqual([{ event_count: '2' }]);
  });

  it('a connection PostgreSQL drops mid-transaction fails that write as a ConnectionError, never the process; the next write works', async () => {
    const name = schema();
    const sink = await PostgresSink.open({
      databaseUrl: DATABASE_URL,
      schema: name,
      maxConcurrentBatches: 1,
    });
    await sink.write(consumed(wireBody('drop-a')));
    // Hold the sink's next transaction on a lock, then end its session as an administrator would.
    const blocker = new pg.Client({ connectionString: DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${name}".conversations IN EXCLUSIVE MODE`);
      const write = sink.write(consumed(wireBody('drop-a')));
      write.catch(() => undefined);
      let pid: number | undefined;
      await waitFor('the sink waiting for the lock', async () => {
        const rows = await sql<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'broker-consumers' AND wait_event_type = 'Lock' AND query LIKE $1`,
          [`%"${name}".conversations%`],
        );
        pid = rows[0]?.pid;
        return pid !== undefined;
      });
      await sql('SELECT pg_terminate_backend($1)', [pid]);
      const error = await write.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ConnectionError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ canRetry: true });
      expect((error as Error).message).toMatch(
        /PostgreSQL at .* is unreachable \(terminating connection due to administrator command\)/,
      );
      await blocker.query('COMMIT');
      // An 'error' event of the dropped connection arrives after the query failed: give it a turn to crash the process.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sink.write(consumed(wireBody('drop-a')));
      await sink.close();
      expect(await storedRows(name)).toBe(2);
    } finally {
      await blocker.end().catch(() => {});
    }
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

  it('stores events written together in one transaction, at most maxBatchSize per transaction', async () => {
    const name = schema();
    const sink = await PostgresSink.open({
      databaseUrl: DATABASE_URL,
      schema: name,
      maxBatchSize: 10,
      maxConcurrentBatches: 2,
    });
    const bodies = Array.from({ length: 45 }, (_, i) => wireBody(`batch-${i % 7}`));
    await Promise.all(bodies.map((body) => sink.write(consumed(body))));
    await sink.close();
    // 45 rows, 5 transactions: the writes in call order, cut every 10.
    const chunks = [0, 10, 20, 30, 40].map((start) => bodies.slice(start, start + 10));
    const stored = await transactions(name);
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((t) => JSON.stringify(t)))).toEqual(
      new Set(chunks.map((c) => JSON.stringify(c))),
    );
  });

  it('groups the events that arrive while a transaction is running into the next one (group commit)', async () => {
    const name = schema();
    const sink = await PostgresSink.open({
      databaseUrl: DATABASE_URL,
      schema: name,
      maxConcurrentBatches: 1,
    });
    // Another session holds the conversations table, so the sink's first transaction waits on it.
    const blocker = new pg.Client({ connectionString: DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${name}".conversations IN EXCLUSIVE MODE`);
      const first = wireBody('group-a');
      const writes = [sink.write(consumed(first))];
      await waitFor('the first transaction waiting for the lock', async () => {
        const rows = await sql(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'broker-consumers' AND wait_event_type = 'Lock' AND query LIKE $1`,
          [`%"${name}".conversations%`],
        );
        return rows.length > 0;
      });
      // Ten more, one per event-loop turn, as a consumer's conversations deliver them.
      const later = Array.from({ length: 10 }, (_, i) => wireBody(`group-${i % 3}`));
      for (const body of later) {
        writes.push(sink.write(consumed(body)));
        await nextTurn();
      }
      await blocker.query('COMMIT');
      await Promise.all(writes);
      await sink.close();
      expect(await transactions(name)).toEqual([[first], later]);
    } finally {
      await blocker.end().catch(() => {});
    }
  });

  it('refuses a store whose schema_version is newer than it knows, with a ConfigError, changing nothing', async () => {
    const name = schema();
    const newer = LATEST_SCHEMA_VERSION + 1;
    await sql(`CREATE SCHEMA "${name}"`);
    await sql(
      `CREATE TABLE "${name}".schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await sql(`INSERT INTO "${name}".schema_version (version, name) VALUES ($1, 'from a newer release')`, [
      newer,
    ]);
    const message = `The conversation store in schema ${name} is at version ${newer}, newer than this @broker/consumers understands (${LATEST_SCHEMA_VERSION}). Upgrade @broker/consumers.`;
    for (const open of [
      () => PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name }),
      () => PostgresConversationStore.open({ databaseUrl: DATABASE_URL, schema: name }),
    ]) {
      const error = await open().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'BROKER_CONFIG',
        key: 'schema',
        canRetry: false,
        message,
        details: { schema: name, storedVersion: newer, supportedVersion: LATEST_SCHEMA_VERSION },
      });
    }
    // Nothing was migrated: no tables besides the version table, which still says `newer`.
    const tables = await sql<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [name],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['schema_version']);
    expect(await sql(`SELECT version FROM "${name}".schema_version`)).toEqual([{ version: newer }]);
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
