/**
 * Metric names. Those of the OpenTelemetry messaging semantic conventions (the version in
 * `SEMCONV_PACKAGE_VERSION`, a unit test holds them to it) where they have one; ours under the
 * `broker.` prefix otherwise.
 */

/** The semantic conventions' messaging metrics. */
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = 'messaging.client.sent.messages';
export const METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES = 'messaging.client.consumed.messages';
export const METRIC_MESSAGING_CLIENT_OPERATION_DURATION = 'messaging.client.operation.duration';
export const METRIC_MESSAGING_PROCESS_DURATION = 'messaging.process.duration';

/** The buckets the semantic conventions advise for the duration histograms, in seconds. */
export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

/** The duration histograms (`recordMessagingDurations`), in seconds. */
export const DURATION_METRICS = {
  /** From an event's first send to its confirmation, or failure (`error.type`): the confirm latency. */
  delivery: METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  /** From a message's receipt to its handling (handler, sink, retries, the wait behind its conversation), by `broker.consume.result`. */
  process: METRIC_MESSAGING_PROCESS_DURATION,
} as const;

/** The `error.type` of a data point counting failures whose class the counter does not keep. */
export const OTHER_ERROR_TYPE = '_OTHER';

/** The publisher's metrics (`observePublisherMetrics`). */
export const PUBLISHER_METRICS = {
  /** Counter: events accepted by `publish()`. */
  accepted: 'broker.publisher.accepted',
  /**
   * Counter (semantic conventions): events whose send ended, confirmed by the broker (no
   * `error.type`) or failed for good (`error.type` `_OTHER`).
   */
  sent: METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  /** Counter: events discarded by the `drop-oldest` overflow policy or left over at close. */
  dropped: 'broker.publisher.dropped',
  /** Counter: events `publish()` refused because the buffer was full (`reject` policy). */
  rejected: 'broker.publisher.rejected',
  /** Counter: sends after an event's first (an upper bound on duplicates downstream). */
  resent: 'broker.publisher.resent',
  /** Gauge: events accepted and not yet confirmed, failed or dropped. */
  pendingMessages: 'broker.publisher.pending.messages',
  /** Gauge: bytes of the pending bodies. */
  pendingBytes: 'broker.publisher.pending.bytes',
  /** Gauge: 1 for the broker's current `broker.state` (ready, reconnecting, blocked, ...). */
  connectionState: 'broker.publisher.connection.state',
} as const;
