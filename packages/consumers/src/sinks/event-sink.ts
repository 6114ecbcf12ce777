import type { ConsumedEvent } from '../consumer/consumed-event';

/**
 * Where consumed events are stored or shown. `write` resolves only once the event is durably
 * written (a line handed to the OS, a database transaction committed): the consumer
 * acknowledges the message after that, never before.
 */
export interface EventSink {
  /** `stdout`, `jsonl`, `postgres`; shown in logs. */
  readonly name: string;
  write(event: ConsumedEvent): Promise<void>;
  /** Writes what is pending and releases files and connections. Idempotent. */
  close(): Promise<void>;
}
