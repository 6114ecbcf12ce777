import type { ConsumedEvent } from '../consumer/consumed-event';

/**
 * Where consumed events are stored or shown. `write` resolves only once the event is durably
 * written (a line handed to the OS, a database transaction committed): the consumer
 * acknowledges the message after that, never before.
 */
export interface EventSink {
  /** `stdout`, `jsonl`, `postgres`; shown in logs. */
  readonly name: string;
  /**
   * The sink keeps each conversation in the order of the `write` calls, so the consumer may
   * write the next events of a conversation before the previous one resolved. When a write fails
   * with an error the consumer retries (anything but a refusal of the event itself), the sink
   * fails the conversation's later writes that are pending, and those made before the next turn
   * of the event loop, with a `HeldBackError`; the consumer then writes them again in order.
   */
  readonly pipelined?: boolean;
  /** Events in flight the sink needs to fill its batches: the consumer's default `concurrency`. */
  readonly preferredConcurrency?: number;
  write(event: ConsumedEvent): Promise<void>;
  /** Writes what is pending and releases files and connections. Idempotent. */
  close(): Promise<void>;
}
