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

export type BrokerState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed' | 'failed';

/** Counters since the broker was created. `pending` = accepted and not yet settled. */
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
  /** Sent again after a connection loss or a nack; each may be a duplicate downstream. */
  redelivered: number;
}

export interface CloseOptions {
  /** How long to wait for pending events to be confirmed, in ms. Default 10 000. */
  timeout?: number;
}

/** An event the broker could not deliver, with the body to store or replay elsewhere. */
export interface UndeliveredEvent {
  senderId: string;
  body: string;
  reason: 'close-timeout' | 'dropped' | 'failed';
}

export interface CloseReport {
  /** Events confirmed over the broker's lifetime. */
  confirmed: number;
  /** Events still pending when the close timeout expired; not delivered (or not known to be). */
  undelivered: UndeliveredEvent[];
  /** Final counters. */
  stats: BrokerStats;
}

export interface EventBrokerEvents {
  state: [state: BrokerState, previous: BrokerState];
  /** Emitted only when someone listens; otherwise the error is only logged. */
  error: [error: BrokerError];
  /** Events discarded by the overflow policy, or failed for good. */
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
  /** True while connected and able to deliver. */
  isReady(): boolean;
  /** Stops accepting, flushes within the timeout, releases resources. Idempotent. */
  close(options?: CloseOptions): Promise<CloseReport>;
  stats(): BrokerStats;
  readonly state: BrokerState;
  on<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
  once<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
  off<K extends keyof EventBrokerEvents>(event: K, listener: (...args: EventBrokerEvents[K]) => void): this;
}
