import type { BrokerError } from '../errors/broker-error';

/** A wire body as Rasa passes it to `publish`: the event's fields plus `sender_id`. */
export interface EventMessageBody {
  sender_id: string;
  event: string;
  timestamp: number;
  [key: string]: unknown;
}

/**
 * What `publish` accepts: a body object (validated, then written in Rasa's JSON format), or
 * an already-serialised JSON body (validated, then sent byte for byte).
 */
export type EventBody = EventMessageBody | string | Uint8Array;

export interface PublishOptions {
  /** Message headers; Rasa only sets them for `rasa export` (`rasa-export-process-id`). */
  headers?: Record<string, string>;
}

/**
 * `blocked`: connected, but the broker refuses to take messages for now (RabbitMQ's
 * `connection.blocked` during a memory or disk alarm); events wait in the buffer.
 * `failed`: stopped by an error; after a retryable one (`error.canRetry`) the next `publish` or
 * `connect` starts again.
 */
export type BrokerState =
  | 'idle'
  | 'connecting'
  | 'ready'
  | 'blocked'
  | 'reconnecting'
  | 'closing'
  | 'closed'
  | 'failed';

/**
 * Counters since the broker was created. Every accepted event is counted once as `published`
 * and ends up `confirmed`, `failed` or `dropped`, or is still `pending`:
 * `published = confirmed + failed + dropped + pending`.
 */
export interface BrokerStats {
  /** Accepted by `publish()`. */
  published: number;
  /** Confirmed by the broker (RabbitMQ publisher confirm, Kafka ack, file write). */
  confirmed: number;
  /** Accepted and not yet confirmed, failed or dropped: queued plus in flight. */
  pending: number;
  /** Handed to the transport and awaiting confirmation. */
  inFlight: number;
  /** UTF-8 bytes of the pending bodies. */
  pendingBytes: number;
  /** Rejected for good by the broker or a non-retryable error. */
  failed: number;
  /** Discarded by the `drop-oldest` overflow policy or left over when `close()` timed out. */
  dropped: number;
  /** Refused by `publish()` (BufferOverflowError) because the buffer was full under the `reject` policy; never accepted, so not in `published`. */
  rejected: number;
  /**
   * Sends after an event's first (after a connection loss, a nack, a failed request). A
   * re-send arrives twice only when the broker had stored the earlier send but its confirmation
   * was lost, so this is an upper bound on duplicates downstream, not a count of them.
   */
  resent: number;
}

export interface CloseOptions {
  /** How long to wait for pending events to be confirmed, in ms. Default 10 000. */
  timeout?: number;
}

/**
 * An event that was not delivered, with the body to store or replay elsewhere. `rejected`:
 * `publish()` refused it (a full buffer under the `reject` policy; for a tracker store, any
 * refusal), so the broker never held it.
 */
export interface UndeliveredEvent {
  senderId: string;
  body: string;
  reason: 'close-timeout' | 'dropped' | 'failed' | 'rejected';
}

export interface CloseReport {
  /** Events confirmed over the broker's lifetime. */
  confirmed: number;
  /**
   * Every accepted event the broker did not deliver over its lifetime (failed, dropped, or
   * still pending when the close timeout expired), oldest first. Those still pending at close
   * are all listed; of those failed or dropped before, the first 1000 (with at most 1 MiB of
   * bodies, or a fiftieth of the buffer's `maxBytes`) are, and the rest are counted in
   * `undeliveredOmitted` (an `undelivered` listener gets every one of them).
   * `undelivered.length + undeliveredOmitted === stats.failed + stats.dropped`.
   */
  undelivered: UndeliveredEvent[];
  /** Undelivered events left out of `undelivered` because the list reached its bound. */
  undeliveredOmitted: number;
  /** Final counters. */
  stats: BrokerStats;
}

export interface EventBrokerEvents {
  state: [state: BrokerState, previous: BrokerState];
  /**
   * A failure: the broker failed for good, events failed, or the connection is in trouble
   * (retried). Emitted only when someone listens; otherwise it is logged, or written to stderr
   * as a process warning when no logger was given.
   */
  error: [error: BrokerError];
  /** Events failed for good, dropped by the overflow policy, refused under `reject`, or left over at close. */
  undelivered: [events: UndeliveredEvent[], error: BrokerError];
}

/**
 * The contract every broker implements (RabbitMQ, Kafka, file, in-memory, custom).
 *
 * - `publish` never waits on the network and never throws for transport reasons. It throws a
 *   typed error only for a closed broker, an invalid body, an oversized body, or a full buffer
 *   under the `reject` overflow policy.
 * - Delivery is at-least-once, confirmed by the broker; per-sender order is kept.
 * - What is pending is bounded (count and bytes) and visible in `stats()`.
 */
export interface EventBroker {
  publish(body: EventBody, options?: PublishOptions): void;
  /** Resolves when every event accepted before the call is confirmed; rejects with a TimeoutError naming what is pending, or a DeliveryFailedError. */
  flush(timeoutMs?: number): Promise<void>;
  /** True while connected and able to deliver (false while `blocked`, reconnecting, failed, closed). */
  isReady(): boolean;
  /** Stops accepting, flushes within the timeout, releases resources. Idempotent. */
  close(options?: CloseOptions): Promise<CloseReport>;
  stats(): BrokerStats;
  readonly state: BrokerState;
  on<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
  once<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
  off<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
}
