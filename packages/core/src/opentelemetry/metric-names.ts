/**
 * The version of the OpenTelemetry semantic conventions whose messaging metric names and
 * attributes the metrics follow. Metrics the conventions have no name for are ours, under
 * the `broker.` prefix.
 */
export const METRICS_SEMCONV_VERSION = '1.36.0';

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
  sent: 'messaging.client.sent.messages',
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
