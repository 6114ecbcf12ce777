import { ConfigError } from '@broker/core';
import type { PgPool } from './load-pg';

/** One step of the sink's schema; applied once, in order, recorded in `schema_version`. */
export interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations and events',
    sql: (s) => `
      CREATE TABLE ${s}.conversations (
        sender_id text PRIMARY KEY,
        first_event_at double precision,
        last_event_at double precision,
        event_count bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.events (
        id bigserial PRIMARY KEY,
        sender_id text NOT NULL REFERENCES ${s}.conversations (sender_id),
        type text NOT NULL,
        event_timestamp double precision,
        event_time timestamptz GENERATED ALWAYS AS (to_timestamp(event_timestamp)) STORED,
        body jsonb NOT NULL,
        body_text text NOT NULL,
        body_sha256 char(64) NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        source_position text,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_sender_body_unique UNIQUE (sender_id, body_sha256)
      );
      CREATE INDEX events_conversation_order ON ${s}.events (sender_id, id);
      CREATE INDEX events_timestamp ON ${s}.events (event_timestamp, id);
    `,
  },
  {
    version: 2,
    name: 'identical events are stored; copies are recognised by message id or redelivery',
    // Equal bodies are no longer one event: the unique key becomes the message's identity
    // (AMQP message_id, Kafka offset), and the rows without one keep a body index for
    // recognising redeliveries. Each row is in one of the two indexes, as it was in one before.
    sql: (s) => `
      ALTER TABLE ${s}.events ADD COLUMN source_message_id text;
      CREATE UNIQUE INDEX events_source_message_unique ON ${s}.events (sender_id, source_message_id)
        WHERE source_message_id IS NOT NULL;
      CREATE INDEX events_sender_body ON ${s}.events (sender_id, body_sha256) WHERE source_message_id IS NULL;
      ALTER TABLE ${s}.events DROP CONSTRAINT events_sender_body_unique;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** `"name"`: a schema name as a quoted identifier, after checking it is a plain name. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `The database schema name ${JSON.stringify(schema)} is not valid: use letters, digits and _ (not starting with a digit), at most 63 characters.`,
      { key: 'schema' },
    );
  }
  return `"${schema}"`;
}

/**
 * Refuses a store written by a newer release (its tables may have changed in ways this one
 * cannot read or write): a `ConfigError` with `key: 'schema'` and the versions in `details`.
 */
export function assertKnownSchemaVersion(schema: string, storedVersion: number): void {
  if (storedVersion <= LATEST_SCHEMA_VERSION) return;
  throw new ConfigError(
    `The conversation store in schema ${schema} is at version ${storedVersion}, newer than this @broker/consumers understands (${LATEST_SCHEMA_VERSION}). Upgrade @broker/consumers.`,
    { key: 'schema', details: { schema, storedVersion, supportedVersion: LATEST_SCHEMA_VERSION } },
  );
}

/**
 * Brings the sink's schema to the latest version: creates it on first run, applies the
 * migrations not applied yet in one transaction, under an advisory lock so that consumers
 * starting together do not race. Returns the version before and after.
 */
export async function migrate(pool: PgPool, schema: string): Promise<{ from: number; to: number }> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`broker-consumers:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_version`,
    );
    const from = Number(rows[0]?.version ?? 0);
    assertKnownSchemaVersion(schema, from);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_version (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, LATEST_SCHEMA_VERSION) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
