import { BrokerError, ConfigError, censorUrl } from '@broker/core';
import { openPool, type PgPool, toDatabaseError } from './load-pg';
import { assertKnownSchemaVersion, quoteSchema } from './migrations';

export interface StoredEvent {
  /** Arrival sequence over the whole store (`events.id`). */
  id: number;
  senderId: string;
  type: string;
  /** The event's own timestamp (seconds since the epoch), when it has one. */
  timestamp: number | null;
  /** The wire body exactly as it was received. */
  body: string;
  headers: Record<string, string>;
}

export interface StoredEventQuery {
  /** Only these conversations. */
  conversationIds?: readonly string[];
  /** Events with timestamp >= this (seconds), as `rasa export --minimum-timestamp`. */
  minimumTimestamp?: number;
  /** Events with timestamp < this (seconds), as `rasa export --maximum-timestamp`. */
  maximumTimestamp?: number;
  /** Rows per round trip. Default 1000. */
  pageSize?: number;
}

export interface PostgresConversationStoreOptions {
  databaseUrl?: string;
  schema?: string;
}

function toStored(row: Record<string, unknown>): StoredEvent {
  return {
    id: Number(row.id),
    senderId: String(row.sender_id),
    type: String(row.type),
    timestamp: row.event_timestamp === null ? null : Number(row.event_timestamp),
    body: String(row.body_text),
    headers: (row.headers ?? {}) as Record<string, string>,
  };
}

/** Reads what the PostgreSQL sink stored: conversations, and their events in order. */
export class PostgresConversationStore {
  private constructor(
    private readonly pool: PgPool,
    private readonly databaseUrl: string,
    private readonly s: string,
    readonly schema: string,
  ) {}

  static async open(options: PostgresConversationStoreOptions = {}): Promise<PostgresConversationStore> {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    const schema = options.schema ?? 'public';
    const s = quoteSchema(schema);
    const pool = await openPool(databaseUrl, () => {}, 1);
    const store = new PostgresConversationStore(pool, databaseUrl as string, s, schema);
    try {
      const { rows } = await pool.query('SELECT to_regclass($1) AS versions, to_regclass($2) AS events', [
        `${s}.schema_version`,
        `${s}.events`,
      ]);
      if (rows[0]?.versions !== null) {
        const versions = await pool.query(
          `SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_version`,
        );
        assertKnownSchemaVersion(schema, Number(versions.rows[0]?.version ?? 0));
      }
      if (rows[0]?.events === null) {
        throw new ConfigError(
          `There is no conversation store in schema ${schema} of ${censorUrl(databaseUrl as string)}: run \`broker consume --sink postgres\` first, or pass the schema it wrote to.`,
          { key: 'schema' },
        );
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw BrokerError.isInstance(error)
        ? error
        : toDatabaseError(error, databaseUrl as string, 'open the conversation store');
    }
    return store;
  }

  /** Conversation ids, oldest first. */
  async conversationIds(): Promise<string[]> {
    const { rows } = await this.query(
      `SELECT sender_id FROM ${this.s}.conversations ORDER BY created_at, sender_id`,
    );
    return rows.map((row) => String(row.sender_id));
  }

  /** One conversation's events in the order they arrived. */
  async conversation(senderId: string): Promise<StoredEvent[]> {
    const { rows } = await this.query(
      `SELECT id, sender_id, type, event_timestamp, body_text, headers FROM ${this.s}.events WHERE sender_id = $1 ORDER BY id`,
      [senderId],
    );
    return rows.map(toStored);
  }

  /** How many events `events(query)` yields. */
  async count(query: StoredEventQuery = {}): Promise<number> {
    const [where, values] = filters(query);
    const { rows } = await this.query(`SELECT count(*) AS n FROM ${this.s}.events ${where}`, values);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Events ordered by timestamp (then arrival), as `rasa export` publishes them, read page by
   * page so that a large store is never loaded at once.
   */
  async *events(query: StoredEventQuery = {}): AsyncGenerator<StoredEvent> {
    const pageSize = query.pageSize ?? 1000;
    const [where, values] = filters(query);
    let after: [number, number] | undefined;
    for (;;) {
      const page: unknown[] = [...values];
      let keyset = '';
      if (after) {
        page.push(after[0], after[1]);
        keyset = `${where ? ' AND' : 'WHERE'} (coalesce(event_timestamp, 0), id) > ($${page.length - 1}, $${page.length})`;
      }
      page.push(pageSize);
      const { rows } = await this.query(
        `SELECT id, sender_id, type, event_timestamp, body_text, headers FROM ${this.s}.events ${where}${keyset}
         ORDER BY coalesce(event_timestamp, 0), id LIMIT $${page.length}`,
        page,
      );
      for (const row of rows) yield toStored(row);
      if (rows.length < pageSize) return;
      const last = toStored(rows[rows.length - 1] as Record<string, unknown>);
      after = [last.timestamp ?? 0, last.id];
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async query(sql: string, values: unknown[] = []) {
    try {
      return await this.pool.query(sql, values);
    } catch (error) {
      throw toDatabaseError(error, this.databaseUrl, 'read the conversation store');
    }
  }
}

function filters(query: StoredEventQuery): [string, unknown[]] {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (query.conversationIds && query.conversationIds.length > 0) {
    values.push([...query.conversationIds]);
    conditions.push(`sender_id = ANY($${values.length}::text[])`);
  }
  if (query.minimumTimestamp !== undefined) {
    values.push(query.minimumTimestamp);
    conditions.push(`event_timestamp >= $${values.length}`);
  }
  if (query.maximumTimestamp !== undefined) {
    values.push(query.maximumTimestamp);
    conditions.push(`event_timestamp < $${values.length}`);
  }
  return [conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', values];
}
