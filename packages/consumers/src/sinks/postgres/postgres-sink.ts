import { hash } from 'node:crypto';
import { BrokerError, ConfigError, childLogger, type Logger } from '@broker/core';
import type { ConsumedEvent } from '../../consumer/consumed-event';
import type { EventSink } from '../event-sink';
import { HeldBackError, SinkError } from '../sink-error';
import { type CopyValue, copyFrom, copyText } from './copy-rows';
import { isDataError, openPool, type PgClient, type PgPool, toDatabaseError } from './load-pg';
import { migrate, quoteSchema } from './migrations';

export interface PostgresSinkOptions {
  /** `postgres://user:password@host:5432/database`; default `DATABASE_URL`. */
  databaseUrl?: string;
  /** Schema holding the tables (created when missing). Default `public`. */
  schema?: string;
  /** Most events per transaction (one statement). Default 1,000. */
  maxBatchSize?: number;
  /**
   * Transactions in flight at once (connections used). Default 2. A conversation is in one of
   * them at a time, so its events are committed in order.
   */
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
    sha256: hash('sha256', event.body, 'hex'),
    headers: JSON.stringify(event.headers),
    position: event.position,
    messageId: event.messageId ?? null,
    redelivered: event.redelivered,
    maybeStored,
  };
}

/**
 * A conversation store in PostgreSQL: `conversations` and `events` tables, created and
 * migrated on first use. Events are stored in batches, one `COPY` (or one multi-row statement)
 * per transaction (whatever arrived while the previous transaction committed), and each
 * `write` resolves only after its batch committed. The sink is pipelined: the consumer writes
 * the next events of a conversation before the previous ones committed; they share a batch (in
 * order) or go into a later one, never into a transaction running beside the conversation's
 * last one. When an event fails other than for its own data, the conversation's later events
 * pending here, and those written before the next turn of the event loop, fail with a
 * `HeldBackError`, so the consumer writes them again after it and a retry cannot overtake them.
 * A copy of a stored message is skipped: one with the same message id (AMQP `message_id`, Kafka
 * topic/partition/offset), or, without a message id, a redelivery of a body already stored, or
 * the same delivery written again after a COMMIT whose answer was lost. Identical events that
 * are not redeliveries are all stored, in arrival order (`events.id`).
 */
export class PostgresSink implements EventSink {
  readonly name = 'postgres';
  readonly pipelined = true;
  readonly preferredConcurrency: number;
  private readonly insertSql: readonly [string, string];
  private readonly copySql: string;
  private readonly countSql: string;
  private pending: Pending[] = [];
  /** Conversations with events in a running transaction: their next events wait for it. */
  private readonly committing = new Set<string>();
  /**
   * Conversations an event just failed in: their writes are refused until the next turn of the
   * event loop, by when the consumer knows and writes them in order (pipelined `EventSink`).
   */
  private readonly heldBack = new Set<string>();
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
    // Enough events in flight to fill every transaction, and the next batch while they commit.
    this.preferredConcurrency = maxBatchSize * maxConcurrentBatches;
    const quoted = quoteSchema(schema);
    this.insertSql = [conversationsStatement(quoted), eventsStatement(quoted)];
    this.copySql = copyStatement(quoted);
    this.countSql = countStatement(quoted);
  }

  /** Connects, creates or migrates the schema, and returns a ready sink. */
  static async open(options: PostgresSinkOptions = {}): Promise<PostgresSink> {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    const schema = options.schema ?? 'public';
    quoteSchema(schema);
    const maxBatchSize = wholeNumberOption('maxBatchSize', options.maxBatchSize ?? 1000);
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
    if (this.heldBack.has(event.senderId)) {
      return Promise.reject(new HeldBackError('postgres', event.senderId));
    }
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

  /** Starts transactions up to the limit, each with events of conversations not committing now. */
  private startBatches(): void {
    while (this.pending.length > 0 && this.active < this.maxConcurrentBatches) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      const senders = new Set(batch.map((p) => p.event.senderId));
      for (const sender of senders) this.committing.add(sender);
      this.active++;
      void this.commit(batch).finally(() => {
        for (const sender of senders) this.committing.delete(sender);
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

  /**
   * The oldest pending events whose conversation has no transaction running, in order; the
   * others stay pending in order (a conversation skipped once is skipped to the end).
   */
  private takeBatch(): Pending[] {
    if (this.committing.size === 0) return this.pending.splice(0, this.maxBatchSize);
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.pending) {
      if (batch.length < this.maxBatchSize && !this.committing.has(p.event.senderId)) batch.push(p);
      else rest.push(p);
    }
    this.pending = rest;
    return batch;
  }

  /**
   * A failure the consumer will retry: the later events of the conversation must not be stored
   * first. Those pending fail now, and those written before the next turn of the event loop.
   */
  private holdBack(failed: ConsumedEvent): void {
    const sender = failed.senderId;
    if (this.heldBack.has(sender)) return;
    if (this.heldBack.size === 0) setImmediate(() => this.heldBack.clear());
    this.heldBack.add(sender);
    const waiting = this.pending.filter((p) => p.event.senderId === sender);
    if (waiting.length === 0) return;
    this.pending = this.pending.filter((p) => p.event.senderId !== sender);
    for (const p of waiting) p.reject(new HeldBackError('postgres', sender));
  }

  private async commit(batch: Pending[]): Promise<void> {
    const rows = batch.map((p) => toRow(p.event, this.unanswered.has(p.event)));
    let client: PgClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      await this.store(client, rows);
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
        this.fail(batch, failure, !isDataError(error));
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

  /**
   * A batch in the open transaction. Rows that cannot be copies of stored events go in with
   * `COPY` (the fastest way in, see BENCHMARKS.md) and the conversation counters are added up
   * here; a redelivery, a row maybe stored after a lost COMMIT, or a message id already stored
   * (which `COPY` refuses) take the statement that skips copies.
   */
  private async store(client: PgClient, rows: Row[]): Promise<void> {
    if (!rows.some((r) => r.redelivered || r.maybeStored)) {
      try {
        await this.insertConversations(client, rows);
        await copyFrom(client, this.copySql, copyText(rows.map(copyValues)));
        await client.query(this.countSql, conversationCounts(rows));
        return;
      } catch (error) {
        if (!isStoredMessageId(error)) throw error;
        await client.query('ROLLBACK');
        await client.query('BEGIN');
      }
    }
    await this.insert(client, rows);
  }

  /** The statements that skip copies of stored events (see `eventsStatement`). */
  private async insert(client: PgClient, rows: Row[]): Promise<void> {
    await this.insertConversations(client, rows);
    await client.query(this.insertSql[1], columns(rows));
  }

  private async insertConversations(client: PgClient, rows: Row[]): Promise<void> {
    await client.query(this.insertSql[0], [[...new Set(rows.map((r) => r.senderId))]]);
  }

  /** Rejects a batch; unless its data was refused, the conversations' later events are held back. */
  private fail(batch: Pending[], failure: Error, retried: boolean): void {
    if (retried) for (const p of batch) this.holdBack(p.event);
    for (const p of batch) p.reject(failure);
  }

  /**
   * Stores the rows of a batch one by one (a savepoint each) to find the ones the database
   * refuses: those are rejected, the others committed. After a row failing for another reason,
   * the later rows of its conversation are not tried. Returns the failure when the connection
   * itself failed (the caller closes it).
   */
  private async commitOneByOne(client: PgClient, batch: Pending[], rows: Row[]): Promise<Error | undefined> {
    const outcomes: (Error | undefined)[] = [];
    const stopped = new Set<string>();
    try {
      await client.query('BEGIN');
      for (const row of rows) {
        if (stopped.has(row.senderId)) {
          outcomes.push(new HeldBackError('postgres', row.senderId));
          continue;
        }
        await client.query('SAVEPOINT one_event');
        try {
          await this.insert(client, [row]);
          await client.query('RELEASE SAVEPOINT one_event');
          outcomes.push(undefined);
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT one_event');
          if (!isDataError(error)) stopped.add(row.senderId);
          outcomes.push(
            toDatabaseError(error, this.databaseUrl, `store the ${row.type} event of ${row.senderId}`),
          );
        }
      }
      await this.commitTransaction(client, batch);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const failure = toDatabaseError(error, this.databaseUrl, `store ${batch.length} event(s)`);
      this.fail(batch, failure, true);
      return failure;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome) p.resolve();
      else if (outcome instanceof HeldBackError) p.reject(outcome);
      else {
        this.logger.warn({ err: outcome, position: p.event.position }, outcome.message);
        if (stopped.has(p.event.senderId)) this.holdBack(p.event);
        p.reject(outcome);
      }
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

function copyValues(r: Row): CopyValue[] {
  return [r.senderId, r.type, r.timestamp, r.body, r.body, r.sha256, r.headers, r.position, r.messageId];
}

/** COPY refused a row whose message id is stored already: a copy, which the statement skips. */
function isStoredMessageId(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'events_source_message_unique';
}

/** Per conversation of the rows: sender ids, first and last timestamps, counts (`countStatement`). */
function conversationCounts(rows: Row[]): unknown[] {
  const counts = new Map<string, { first: number | null; last: number | null; count: number }>();
  for (const { senderId, timestamp } of rows) {
    const c = counts.get(senderId) ?? { first: null, last: null, count: 0 };
    if (timestamp !== null) {
      c.first = c.first === null ? timestamp : Math.min(c.first, timestamp);
      c.last = c.last === null ? timestamp : Math.max(c.last, timestamp);
    }
    c.count++;
    counts.set(senderId, c);
  }
  const values = [...counts.values()];
  return [
    [...counts.keys()],
    values.map((c) => c.first),
    values.map((c) => c.last),
    values.map((c) => c.count),
  ];
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

/** Conversations first (events reference them), from the batch's distinct sender ids. */
function conversationsStatement(s: string): string {
  return `
    INSERT INTO ${s}.conversations (sender_id)
    SELECT unnest($1::text[])
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
    ${addToConversations(
      s,
      `(SELECT sender_id, min(event_timestamp) AS first_at, max(event_timestamp) AS last_at, count(*) AS count
      FROM inserted GROUP BY sender_id) AS n`,
    )}`;
}

/** Adds counts `n(sender_id, first_at, last_at, count)` to the conversations' counters. */
function addToConversations(s: string, counts: string): string {
  return `UPDATE ${s}.conversations AS c SET
      first_event_at = least(c.first_event_at, n.first_at),
      last_event_at = greatest(c.last_event_at, n.last_at),
      event_count = c.event_count + n.count,
      updated_at = now()
    FROM ${counts}
    WHERE c.sender_id = n.sender_id`;
}

/** New events in arrival order: `COPY` keeps the order of its rows (`events.id`). */
function copyStatement(s: string): string {
  return `COPY ${s}.events (sender_id, type, event_timestamp, body, body_text, body_sha256, headers, source_position, source_message_id) FROM STDIN`;
}

/** The counters for events copied in: the parameters of `conversationCounts`. */
function countStatement(s: string): string {
  return addToConversations(
    s,
    'unnest($1::text[], $2::float8[], $3::float8[], $4::bigint[]) AS n(sender_id, first_at, last_at, count)',
  );
}
