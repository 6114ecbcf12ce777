/**
 * The transport side of a consumer: where raw event messages come from (a RabbitMQ queue, a
 * Kafka topic, the file broker's file) and how each is settled. Adapters implement it;
 * `@broker/consumers` builds parsing, per-sender ordering, retries, dead-lettering, filters and
 * sinks on top, the same way for every transport.
 */

/** How a message was finally handled. */
export type Settlement =
  /** Handled (or deliberately skipped): remove it from the source. */
  | { outcome: 'ack' }
  /** Give up on it: copy it to the dead-letter destination with the reason, then remove it. */
  | { outcome: 'dead-letter'; reason: string; error?: unknown };

export interface SourceMessage {
  /** The body exactly as received. */
  readonly body: Buffer;
  /** Message headers as strings (AMQP headers, Kafka headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** The ordering key the transport carries (Kafka key), if any; otherwise the consumer reads `sender_id` from the body. */
  readonly key: string | undefined;
  /** The broker says this was delivered before (AMQP `redelivered`); duplicates are possible either way. */
  readonly redelivered: boolean;
  /**
   * The message's identity, when the transport gives one: the same on every delivery of this
   * message, different for any other message (AMQP: the `message_id` property, when the
   * producer set one; Kafka: topic, partition, offset and record timestamp). Consumers treat
   * two deliveries with the same `messageId` as copies of one message. Undefined otherwise.
   */
  readonly messageId?: string | undefined;
  /** Where it came from, for logs and dead letters: `rasa_core_events#17`, `rasa_core_events[2]@1042`. */
  readonly position: string;
  /** Transport details (queue, delivery tag, app_id; topic, partition, offset, timestamp). */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * Settles the message. Resolves once the source has done what it takes (ack sent, dead letter
   * confirmed, offset marked). Settling twice, or after the connection it came on was lost,
   * does nothing: the source redelivers what was not acknowledged.
   */
  settle(settlement: Settlement): Promise<void>;
}

export interface ConsumeOptions {
  /** Most messages delivered and not yet settled (RabbitMQ prefetch; Kafka in-flight window). */
  maxInFlight: number;
  /** Stops consuming: no new deliveries; `consume` resolves once in-flight messages are settled or the source gives up waiting. */
  signal: AbortSignal;
  /**
   * Called each time the source starts consuming on a live connection, before its first
   * message: once connected (the Kafka group joined, the file opened), and again after each
   * reconnect. Lets a caller bound how long it waits for a broker that may never answer.
   */
  onConsuming?: () => void;
  /**
   * Called when the live connection is lost, before the source reconnects (and before
   * `onConsuming` is called again): for a readiness check that must say "not connected" while
   * the broker is away.
   */
  onConnectionLost?: (error: Error) => void;
}

/** Messages waiting in a source: one entry per queue, or per partition of a Kafka topic. */
export interface SourceBacklog {
  /** The queue or topic. */
  readonly destination: string;
  /** The Kafka partition; undefined for a queue. */
  readonly partition?: number;
  /**
   * RabbitMQ: messages ready in the queue (not yet delivered to a consumer). Kafka: the lag,
   * the partition's high watermark minus the group's committed offset.
   */
  readonly messages: number;
}

export interface MessageSource {
  /** `pika`, `kafka`, `file`, `memory`; shown in logs. */
  readonly name: string;
  /** What is consumed, for logs: the queue or topic name, the file path. */
  readonly description: string;
  /**
   * Delivers messages to `onMessage` until `options.signal` aborts or a non-retryable error
   * (bad credentials, missing queue) ends it. Reconnects on its own after connection loss.
   * Messages of one queue partition / Kafka partition are delivered in order.
   */
  consume(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void>;
  /**
   * Asks the broker how many messages wait to be consumed (RabbitMQ: a passive declare of the
   * queue; Kafka: the group's committed offsets against the high watermarks), on a connection
   * of its own that `close()` releases. Each call is one round trip: callers poll it at a
   * bounded rate. Rejects while the broker is unreachable. Optional: the file source has none.
   */
  backlog?(): Promise<SourceBacklog[]>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}
