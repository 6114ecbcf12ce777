/**
 * The `node:diagnostics_channel` channels every `@broker/*` package reports on, named and
 * used like undici's. Subscribe by name (`diagnostics_channel.tracingChannel('broker:publish')`)
 * or with the channel objects below; channels are global by name, so a subscriber sees every copy
 * of the packages in the process. Nothing is built or published while nobody subscribes.
 *
 * A subscriber must not throw: Node reports what it throws as an uncaught exception on the next
 * tick (the publish, delivery or consume it observed goes on unaffected).
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** `publish()` accepted an event (or refused it: `error`). TracingChannel, `traceSync`: start, end, error. */
export const PUBLISH_CHANNEL = 'broker:publish';
/**
 * An accepted event on its way to the broker. TracingChannel: `start` when it is first handed to
 * the transport (sent), `asyncEnd` when it is settled (`outcome` confirmed, failed or dropped),
 * `error` just before `asyncEnd` when it failed or was dropped. An event settled before it was
 * ever sent (dropped from a full buffer, failed or left over at close while waiting) gets its
 * `start` at settlement, with `attempts` 0. Every `start` is followed by one `asyncEnd`.
 */
export const DELIVER_CHANNEL = 'broker:deliver';
/**
 * A message a consumer received. TracingChannel: `start` and `end` when it is received,
 * `asyncStart` when it is handled (or given up on: `result`),
 * `error` before that when the consumer gives up on it (dead letter), `asyncEnd` once it is
 * settled (`settlement`: ack, dead-letter, or none: left to the broker to deliver again).
 */
export const CONSUME_CHANNEL = 'broker:consume';
/** A consumer retries a message its handler or sink failed on. Plain channel: {@link ConsumeRetryMessage}. */
export const CONSUME_RETRY_CHANNEL = 'broker:consume:retry';
/** A publisher's connection state changed, or a consumer paused or resumed for an outage. Plain channel: {@link ConnectionStateMessage}. */
export const CONNECTION_CHANNEL = 'broker:connection';

/**
 * Where a publisher sends: `system` is the OpenTelemetry `messaging.system` (`rabbitmq`,
 * `kafka`), or the broker's name for the others (`file`, `memory`).
 */
export interface MessagingTarget {
  readonly system: string;
  /** RabbitMQ: the exchange; Kafka: the topic; file: its path. */
  readonly destination: string;
  /** The broker's host, when known (RabbitMQ: the host connected to). */
  readonly serverAddress?: string | undefined;
  readonly serverPort?: number | undefined;
}

/** The context of a `broker:publish` trace. */
export interface PublishContext extends MessagingTarget {
  /** The broker's name: `pika`, `kafka`, `file`, `memory`. */
  readonly broker: string;
  /**
   * The headers the event will carry. A `start` subscriber may replace it (e.g. to add a W3C
   * `traceparent`); the broker sends what is here when the subscriber returns.
   */
  headers: Record<string, string> | undefined;
  /** Set once accepted, before `end`. */
  senderId?: string;
  /** UTF-8 size of the body, set once accepted. */
  bodySize?: number;
  /** Why `publish()` refused it (closed broker, invalid or oversized body, full buffer). */
  error?: unknown;
}

/** The context of a `broker:deliver` trace: one accepted event. */
export interface DeliverContext extends MessagingTarget {
  readonly broker: string;
  readonly senderId: string;
  readonly bodySize: number;
  /** The `broker:publish` context of the same event, when someone subscribed to it then. */
  readonly publish: PublishContext | undefined;
  /** RabbitMQ routing key, when not empty. */
  routingKey?: string;
  /** Kafka record key. */
  messageKey?: string;
  /** Kafka partition, once the event was sent. */
  partition?: number;
  /** Times it was handed to the transport (more than 1 after a reconnect or a nack), at settlement. */
  attempts: number;
  /** Set before `asyncEnd`. */
  outcome?: 'confirmed' | 'failed' | 'dropped';
  /** Why it failed or was dropped, set before `error`. */
  error?: unknown;
}

/** What became of a consumed message, set before `asyncStart` of `broker:consume`. */
export type ConsumeResult =
  /** The handler and the sink succeeded. */
  | 'handled'
  /** Excluded by the consumer's filter, acknowledged. */
  | 'filtered'
  /** A copy of a message already handled, acknowledged. */
  | 'duplicate'
  /** Not an event: dead-lettered. */
  | 'malformed'
  /** The handler or sink kept failing (or the failure cannot be retried): dead-lettered. */
  | 'failed'
  /** The consumer stopped first: left to the broker to deliver again. */
  | 'left';

/** The context of a `broker:consume` trace: one received message. */
export interface ConsumeContext {
  /** `rabbitmq`, `kafka`, or the source's name (`file`, `memory`). */
  readonly system: string;
  /** The message source's name: `pika`, `kafka`, `file`. */
  readonly source: string;
  /** RabbitMQ: the exchange it was published to; Kafka: the topic. */
  readonly destination: string | undefined;
  /** RabbitMQ: the queue consumed. */
  readonly queue?: string | undefined;
  readonly routingKey?: string | undefined;
  /** Kafka consumer group. */
  readonly group?: string | undefined;
  readonly partition?: number | undefined;
  /** Kafka offset, as a decimal string. */
  readonly offset?: string | undefined;
  /** Kafka record key. */
  readonly messageKey?: string | undefined;
  readonly messageId?: string | undefined;
  readonly bodySize: number;
  /** For logs: `rasa_core_events#17`, `rasa_core_events[2]@1042`. */
  readonly position: string;
  /** The message headers (where a W3C `traceparent` may be). */
  readonly headers: Readonly<Record<string, string>>;
  /** Set once decoded. */
  senderId?: string;
  eventType?: string;
  /** Failed attempts that were retried so far. */
  retries: number;
  result?: ConsumeResult;
  /** Set before `asyncEnd`; undefined when left unsettled (the broker delivers it again). */
  settlement?: 'ack' | 'dead-letter';
  /** Why it was dead-lettered (the last failure, or what made it malformed). */
  error?: unknown;
}

/** Published on `broker:consume:retry`. */
export interface ConsumeRetryMessage {
  readonly context: ConsumeContext;
  readonly error: unknown;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
}

/** Published on `broker:connection`. */
export interface ConnectionStateMessage {
  readonly role: 'publisher' | 'consumer';
  /** `rabbitmq`, `kafka`, or the broker's or source's name. */
  readonly system: string;
  /** The broker's or source's name: `pika`, `kafka`, ... */
  readonly name: string;
  /**
   * A publisher: its BrokerState (`connecting`, `ready`, `blocked`, `reconnecting`, `closing`,
   * `closed`, `failed`, `idle`). A consumer: `paused` (an outage of what its handler or sink
   * needs) or `running` (the outage is over).
   */
  readonly state: string;
  readonly previous: string;
  /** A consumer's outage: what is unavailable (`handler`, `sink postgres`). */
  readonly what?: string;
  readonly error?: unknown;
}

export const publishChannel = diagnosticsChannel.tracingChannel<PublishContext, PublishContext>(
  PUBLISH_CHANNEL,
);
export const deliverChannel = diagnosticsChannel.tracingChannel<DeliverContext, DeliverContext>(
  DELIVER_CHANNEL,
);
export const consumeChannel = diagnosticsChannel.tracingChannel<ConsumeContext, ConsumeContext>(
  CONSUME_CHANNEL,
);
export const consumeRetryChannel = diagnosticsChannel.channel(CONSUME_RETRY_CHANNEL);
export const connectionChannel = diagnosticsChannel.channel(CONNECTION_CHANNEL);

/** The OpenTelemetry `messaging.system` of a broker or source name (`pika` → `rabbitmq`). */
export function messagingSystem(name: string): string {
  return name === 'pika' ? 'rabbitmq' : name;
}
