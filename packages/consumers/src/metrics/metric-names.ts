import { METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES } from '@broker/core/opentelemetry';

/**
 * The consumer's metric names (see the README's metrics section): the OpenTelemetry messaging
 * semantic conventions' where they have one (the version in `SEMCONV_PACKAGE_VERSION` of
 * @broker/core/opentelemetry), ours under `broker.` otherwise.
 */
export const CONSUMER_METRICS = {
  /** Counter (semantic conventions): messages delivered by the source. */
  consumed: METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  /** Counter: events handled (handler and sink succeeded) and acknowledged. */
  handled: 'broker.consumer.handled',
  /** Counter: retries of an event the handler or the sink failed on. */
  retried: 'broker.consumer.retried',
  /** Counter: messages dead-lettered, by `broker.dead_letter.reason` (`failed` after the retries, `malformed`). */
  deadLettered: 'broker.consumer.dead_lettered',
  /** Counter: events acknowledged without handling (the filter excluded them). */
  filtered: 'broker.consumer.filtered',
  /** Counter: redelivered copies of handled messages, acknowledged and not handled again. */
  duplicates: 'broker.consumer.duplicates',
  /** Gauge: messages delivered and not yet settled. */
  inFlight: 'broker.consumer.in_flight',
  /**
   * Gauge: messages waiting, by `messaging.destination.name` (and
   * `messaging.destination.partition.id` on Kafka): RabbitMQ queue depth, Kafka group lag.
   */
  lag: 'broker.consumer.lag',
  /** Gauge: 1 while an outage (the sink or the handler's service unavailable) pauses consuming, else 0. */
  paused: 'broker.consumer.paused',
  /** Counter: outages so far. */
  outages: 'broker.consumer.outages',
} as const;

/** The progress metrics of `broker export --metrics-port` (besides the publisher's). */
export const EXPORT_METRICS = {
  /** Gauge: events this run exports. */
  total: 'broker.export.events.total',
  /** Counter: events of this run the broker confirmed. */
  exported: 'broker.export.events.exported',
} as const;
