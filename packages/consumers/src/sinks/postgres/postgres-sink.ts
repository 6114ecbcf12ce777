import { createHash } from 'node:crypto';
import { BrokerError, ConfigError, childLogger, type Logger } from '@broker/core';
import type { ConsumedEvent } from '../../consumer/consumed-event';
import type { EventSink } from '../event-sink';
import { SinkError } from '../sink-error';
import { isDataError, openPool, type PgClient, type PgPool, toDatabaseError } from './load-pg';
import { migrate, quoteSchema } from './migrations';

export interface PostgresSinkOptions {
  /** `postgres://user:password@host:5432/database`; default `DATABASE_URL`. */
  databaseUrl?: string;
  /** Schema holding the tables (created when missing). Default `public`. */
  schema?: string;
  /** Most events per transaction. Default 500. */
  maxBatchSize?: number;
  /** Transactions in flight at once (connections used). Default 2. */
  maxConcurrentBatches?: number;
  logger?: Logger;
}

interface Pending {
  event: ConsumedEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Row {
  senderId: string;
  type: string;
  timestamp: number | null;
  body: string;
  sha256: string;
  headers: string;
  position: string;
  messageId: string | null;
  redelivered: boolean;
  /** Written before in a transaction whose COMMIT went unanswered: it may be stored already. */
  maybeStored: boolean;
}

function toRow(event: ConsumedEvent, maybeStored: boolean): Row {
  const timestamp = event.event.timestamp;
  return {
    senderId: event.senderId,
    type: event.event.event,
    timestamp: typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : null,
    body: event.body,
    sha256: createHash('sha256').update(event.body).digest('hex'),
    headers: JSON.stringify(event.headers),
    position: event.position,
    messageId: event.messageId ?? null,
    redelivered: event.redelivered,
    maybeStored,
  };
}

/**
 * A conversation store in PostgreSQL: `conversations` and `events` tables, created and
 * migrated on first use. Events are inserted in batches (whatever arrived while the previous
 * transaction committed), and each `write` resolves only after its batch committed. A copy of
 * a stored message is skipped: one with the same message id (AMQP `message_id`, Kafka
 * topic/partition/offset), or, without a message id, a redelivery of a body already stored, or
 * the same delivery written again after a COMMIT whose answer was lost. Identical events that
 * are not redeliveries are all stored, in arrival order (`events.id`).
 */
export class PostgresSink implements EventSink {
  readonly name = 'postgres';
  private readonly insertSql: readonly [string, string];
  private pending: Pending[] = [];
  private active = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | undefined;
  /** Events of transactions whose COMMIT went unanswered (the connection dropped): maybe stored. */
  private readonly unanswered = new WeakSet<ConsumedEvent>();

  private constructor(
    private readonly pool: PgPool,
    private readonly databaseUrl: string,
    readonly schema: string,
    private readonly maxBatchSize: number,
    private readonly maxConcurrentBatches: number,
    private readonly logger: Logger,
  ) {
    const quoted = quoteSchema(schema);
    this.insertSql = [conversationsStatement(quoted), eventsStatement(quoted)];
  }

  /** Connects, creates or migrates the schema, and returns a ready sink. */
  static async open(options: PostgresSinkOptions = {}): Promise<PostgresSink> {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    const schema = options.schema ?? 'public';
    quoteSchema(schema);
    const maxBatchSize = wholeNumberOption('maxBatchSize', options.maxBatchSize ?? 500);
    const maxConcurrentBatches = wholeNumberOption('maxConcurrentBatches', options.maxConcurrentBatches ?? 2);
    const logger = childLogger(options.logger, { sink: 'postgres' });
    const pool = await openPool(
      databaseUrl,
      (error) => logger.warn({ err: error }, `idle PostgreSQL connection failed: ${error.message}`),
      maxConcurrentBatches,
    );
    try {
      const { from, to } = await migrate(pool, schema);
      if (from !== to)
        logger.info(
          { schema, from, to },
          `conversation store schema ${schema} migrated from version ${from} to ${to}`,
        );
    } catch (error) {
      await pool.end().catch(() => {});
      throw BrokerError.isInstance(error)
        ? error
        : toDatabaseError(error, databaseUrl as string, 'prepare the conversation store');
    }
    return new PostgresSink(pool, databaseUrl as string, schema, maxBatchSize, maxConcurrentBatches, logger);
  }

  write(event: ConsumedEvent): Promise<void> {
    if (this.closing) return Promise.reject(new SinkError('postgres', 'The PostgreSQL sink is closed.'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (this.scheduled) return;
      // Events written in the same turn go together; later ones wait for a free transaction
      // and form the next batch (group commit).
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.startBatches();
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.scheduled || this.active > 0 || this.pending.length > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      }
      await this.pool.end();
    })();
    return this.closing;
  }

  /**
   * Starts transactions up to the limit. Running several at once cannot reorder a
   * conversation: its next event is only written after the previous one committed.
   */
  private startBatches(): void {
    while (this.pending.length > 0 && this.active < this.maxConcurrentBatches) {
      const batch = this.pending.splice(0, this.maxBatchSize);
      this.active++;
      void this.commit(batch).finally(() => {
        this.active--;
        this.startBatches();
        if (this.active === 0 && this.pending.length === 0) {
          for (const wake of this.idleWaiters.splice(0)) wake();
        }
      });
    }
    if (this.active === 0 && this.pending.length === 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const rows = batch.map((p) => toRow(p.event, this.unanswered.has(p.event)));
    let client: PgClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      await this.insert(client, rows);
      await this.commitTransaction(client, batch);
      for (const p of batch) p.resolve();
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => {});
      if (client && isDataError(error) && batch.length > 1) {
        // One bad row fails the whole batch: store the others, reject only the bad ones.
        broken = await this.commitOneByOne(client, batch, rows);
      } else {
        const failure = toDatabaseError(error, this.databaseUrl, `store ${batch.length} event(s)`);
        if (!isDataError(error)) broken = failure;
        for (const p of batch) p.reject(failure);
      }
    } finally {
      // A connection that failed other than on bad data is closed, not handed to the next batch.
      client?.release(broken);
    }
  }

  /** COMMIT; when it fails the outcome is unknown, so the events are remembered as maybe stored. */
  private async commitTransaction(client: PgClient, batch: Pending[]): Promise<void> {
    try {
      await client.query('COMMIT');
    } catch (error) {
      for (const p of batch) this.unanswered.add(p.event);
      throw error;
    }
  }

  private async insert(client: PgClient, rows: Row[]): Promise<void> {
    const values = columns(rows);
    for (const sql of this.insertSql) await client.query(sql, values);
  }

  /** Returns the failure when the connection itself failed (the caller closes it). */
  private async commitOneByOne(client: PgClient, batch: Pending[], rows: Row[]): Promise<Error | undefined> {
    const outcomes: (Error | undefined)[] = [];
    try {
      await client.query('BEGIN');
      for (const row of rows) {
        await client.query('SAVEPOINT one_event');
        try {
          await this.insert(client, [row]);
          await client.query('RELEASE SAVEPOINT one_event');
          outcomes.push(undefined);
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT one_event');
          outcomes.push(
            toDatabaseError(error, this.databaseUrl, `store the ${row.type} event of ${row.senderId}`),
          );
        }
      }
      await this.commitTransaction(client, batch);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const failure = toDatabaseError(error, this.databaseUrl, `store ${batch.length} event(s)`);
      for (const p of batch) p.reject(failure);
      return failure;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome) {
        this.logger.warn({ err: outcome, position: p.event.position }, outcome.message);
        p.reject(outcome);
      } else p.resolve();
    });
    return undefined;
  }
}

function wholeNumberOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`PostgresSink ${name} must be a whole number >= 1, got ${String(value)}.`, {
      key: name,
    });
  }
  return value;
}

function columns(rows: Row[]): unknown[] {
  return [
    rows.map((r) => r.senderId),
    rows.map((r) => r.type),
    rows.map((r) => r.timestamp),
    rows.map((r) => r.body),
    rows.map((r) => r.sha256),
    rows.map((r) => r.headers),
    rows.map((r) => r.position),
    rows.map((r) => r.messageId),
    rows.map((r) => r.redelivered),
    rows.map((r) => r.maybeStored),
  ];
}

const INPUT = `input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::boolean[], $10::boolean[])
        WITH ORDINALITY AS t(sender_id, type, event_timestamp, body_text, body_sha256, headers, source_position, source_message_id, redelivered, maybe_stored, ord)
    )`;

/** Conversations first (events reference them); the same parameters as the events statement. */
function conversationsStatement(s: string): string {
  return `
    WITH ${INPUT}
    INSERT INTO ${s}.conversations (sender_id)
    SELECT DISTINCT sender_id FROM input
    ON CONFLICT (sender_id) DO NOTHING`;
}

/**
 * The events in arrival order, skipping copies of stored messages: the same message id (the
 * unique index), or, among the rows stored without one (messages without an id, rows from
 * before ids were kept), the same body for a redelivery, the same body and position for a
 * delivery written again after an unanswered COMMIT. The conversation counters only count
 * events actually inserted.
 */
function eventsStatement(s: string): string {
  return `
    WITH ${INPUT}, inserted AS (
      INSERT INTO ${s}.events (sender_id, type, event_timestamp, body, body_text, body_sha256, headers, source_position, source_message_id)
      SELECT sender_id, type, event_timestamp, body_text::jsonb, body_text, body_sha256, headers, source_position, source_message_id
      FROM input
      WHERE NOT ((redelivered OR maybe_stored) AND EXISTS (
        SELECT 1 FROM ${s}.events AS stored
        WHERE stored.sender_id = input.sender_id AND stored.body_sha256 = input.body_sha256
          AND stored.source_message_id IS NULL
          AND (redelivered OR stored.source_position = input.source_position)))
      ORDER BY ord
      ON CONFLICT (sender_id, source_message_id) WHERE source_message_id IS NOT NULL DO NOTHING
      RETURNING sender_id, event_timestamp
    )
    UPDATE ${s}.conversations AS c SET
      first_event_at = least(c.first_event_at, n.first_at),
      last_event_at = greatest(c.last_event_at, n.last_at),
      event_count = c.event_count + n.count,
      updated_at = now()
    FROM (
      SELECT sender_id, min(event_timestamp) AS first_at, max(event_timestamp) AS last_at, count(*) AS count
      FROM inserted GROUP BY sender_id
    ) AS n
    WHERE c.sender_id = n.sender_id`;
}
