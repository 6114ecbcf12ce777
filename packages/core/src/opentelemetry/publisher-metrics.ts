import type { Attributes, BatchObservableCallback, Meter } from '@opentelemetry/api';
import type { BrokerState, EventBroker } from '../broker/event-broker';
import { OTHER_ERROR_TYPE, PUBLISHER_METRICS } from './metric-names';

const STATES: readonly BrokerState[] = [
  'idle',
  'connecting',
  'ready',
  'blocked',
  'reconnecting',
  'closing',
  'closed',
  'failed',
];

/** Stops reporting: the meter no longer calls into the broker. */
export interface MetricsRegistration {
  dispose(): void;
}

/**
 * Reports a broker's counters (`stats()`) and connection state through `meter` as observable
 * instruments, read when the meter's reader collects: nothing runs on the publish path.
 * `attributes` go on every data point (e.g. `messaging.system`, `messaging.destination.name`).
 */
export function observePublisherMetrics(
  meter: Meter,
  broker: Pick<EventBroker, 'stats' | 'state'>,
  attributes: Attributes = {},
): MetricsRegistration {
  const counter = (name: string, description: string) =>
    meter.createObservableCounter(name, { description, unit: '{message}' });
  const accepted = counter(PUBLISHER_METRICS.accepted, 'Events accepted by publish().');
  const sent = counter(
    PUBLISHER_METRICS.sent,
    'Events whose send ended: confirmed by the broker, or failed for good (with error.type).',
  );
  const dropped = counter(
    PUBLISHER_METRICS.dropped,
    'Events dropped by the overflow policy or left over at close.',
  );
  const rejected = counter(
    PUBLISHER_METRICS.rejected,
    'Events publish() refused because the buffer was full.',
  );
  const resent = counter(PUBLISHER_METRICS.resent, "Sends after an event's first.");
  const pendingMessages = meter.createObservableGauge(PUBLISHER_METRICS.pendingMessages, {
    description: 'Events accepted and not yet confirmed, failed or dropped.',
    unit: '{message}',
  });
  const pendingBytes = meter.createObservableGauge(PUBLISHER_METRICS.pendingBytes, {
    description: 'Bytes of the pending event bodies.',
    unit: 'By',
  });
  const connectionState = meter.createObservableGauge(PUBLISHER_METRICS.connectionState, {
    description: "1 for the broker's current state (broker.state), 0 for the others.",
  });
  const observe: BatchObservableCallback = (result) => {
    const stats = broker.stats();
    result.observe(accepted, stats.published, attributes);
    result.observe(sent, stats.confirmed, attributes);
    result.observe(sent, stats.failed, { ...attributes, 'error.type': OTHER_ERROR_TYPE });
    result.observe(dropped, stats.dropped, attributes);
    result.observe(rejected, stats.rejected, attributes);
    result.observe(resent, stats.resent, attributes);
    result.observe(pendingMessages, stats.pending, attributes);
    result.observe(pendingBytes, stats.pendingBytes, attributes);
    const current = broker.state;
    for (const state of STATES) {
      result.observe(connectionState, state === current ? 1 : 0, { ...attributes, 'broker.state': state });
    }
  };
  const observables = [
    accepted,
    sent,
    dropped,
    rejected,
    resent,
    pendingMessages,
    pendingBytes,
    connectionState,
  ];
  meter.addBatchObservableCallback(observe, observables);
  return { dispose: () => meter.removeBatchObservableCallback(observe, observables) };
}
