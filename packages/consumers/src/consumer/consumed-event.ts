import type { ParsedEvent } from '@broker/core';

/** One event as a handler or sink sees it: parsed, with the conversation it belongs to. */
export interface ConsumedEvent {
  /** The conversation id (`sender_id` of the body). */
  senderId: string;
  /** The typed event; unknown type names arrive as `UnknownEvent` (see `isKnownEvent`). */
  event: ParsedEvent;
  /** The wire body exactly as received (UTF-8 text), `sender_id` included. */
  body: string;
  /** Message headers (AMQP headers, Kafka headers), e.g. `rasa-export-process-id`. */
  headers: Readonly<Record<string, string>>;
  /** The transport's ordering key (Kafka key), if any. */
  key: string | undefined;
  /** Where it came from: `rasa_core_events#17`, `rasa_core_events[2]@1042`, `events.log:3`. */
  position: string;
  /** The broker delivered it before; it may have been handled already (at-least-once). */
  redelivered: boolean;
  /**
   * The message's identity when the transport gives one (AMQP `message_id` set by the producer;
   * Kafka topic, partition, offset and timestamp): equal only for copies of one message.
   */
  messageId: string | undefined;
  /** Transport details (queue, delivery tag, app_id; topic, partition, offset). */
  meta: Readonly<Record<string, unknown>>;
}

export interface HandlerContext {
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** Aborted when the consumer gives up waiting for handlers at shutdown. */
  signal: AbortSignal;
}

/** Handles one event. Throwing (or rejecting) means "not handled": the consumer retries, then dead-letters. */
export type EventHandler = (event: ConsumedEvent, context: HandlerContext) => unknown;
