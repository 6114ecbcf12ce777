import { type Logger, messagingSystem, noopLogger } from '@broker/core';
import type { MetricsRegistration } from '@broker/core/opentelemetry';
import type { Attributes, BatchObservableCallback, Meter } from '@opentelemetry/api';
import type { EventConsumer } from '../consumer/event-consumer';
import { BacklogPoller, DEFAULT_BACKLOG_INTERVAL_MS } from './backlog-poller';
import { CONSUMER_METRICS } from './metric-names';

export interface ConsumerMetricsOptions {
  /** Put on every data point, e.g. `{ 'messaging.system': 'rabbitmq' }`. */
  attributes?: Attributes;
  /** The fewest ms between two lag queries of the broker (default 5000). */
  lagIntervalMs?: number;
  logger?: Logger;
}

/**
 * Reports a consumer's counters (`stats()`), its outage state and its lag (RabbitMQ queue
 * depth, Kafka group lag, asked of the broker at a bounded rate) through `meter` as observable
 * instruments, read when the meter's reader collects: nothing runs per message.
 */
export function observeConsumerMetrics(
  meter: Meter,
  consumer: Pick<EventConsumer, 'stats' | 'source'>,
  options: ConsumerMetricsOptions = {},
): MetricsRegistration {
  const attributes = { 'messaging.system': messagingSystem(consumer.source.name), ...options.attributes };
  const backlog = new BacklogPoller(
    consumer.source,
    options.lagIntervalMs ?? DEFAULT_BACKLOG_INTERVAL_MS,
    options.logger ?? noopLogger,
  );
  const counter = (name: string, description: string) =>
    meter.createObservableCounter(name, { description, unit: '{message}' });
  const gauge = (name: string, description: string, unit?: string) =>
    meter.createObservableGauge(name, { description, ...(unit ? { unit } : {}) });
  const consumed = counter(CONSUMER_METRICS.consumed, 'Messages delivered by the source.');
  const handled = counter(CONSUMER_METRICS.handled, 'Events handled and acknowledged.');
  const retried = counter(CONSUMER_METRICS.retried, 'Retries of events the handler or the sink failed on.');
  const deadLettered = counter(
    CONSUMER_METRICS.deadLettered,
    'Messages dead-lettered, by broker.dead_letter.reason: failed (after the retries) or malformed.',
  );
  const filtered = counter(CONSUMER_METRICS.filtered, 'Events the filter excluded (acknowledged).');
  const duplicates = counter(
    CONSUMER_METRICS.duplicates,
    'Redelivered copies acknowledged without handling.',
  );
  const outages = meter.createObservableCounter(CONSUMER_METRICS.outages, {
    description: 'Outages of the sink or the handler service.',
  });
  const inFlight = gauge(CONSUMER_METRICS.inFlight, 'Messages delivered and not yet settled.', '{message}');
  const lag = gauge(
    CONSUMER_METRICS.lag,
    'Messages waiting: RabbitMQ queue depth, Kafka group lag per partition.',
    '{message}',
  );
  const paused = gauge(CONSUMER_METRICS.paused, '1 while an outage pauses consuming, else 0.');
  const observe: BatchObservableCallback = async (result) => {
    const stats = consumer.stats();
    result.observe(consumed, stats.received, attributes);
    result.observe(handled, stats.handled, attributes);
    result.observe(retried, stats.retried, attributes);
    result.observe(deadLettered, stats.deadLettered, {
      ...attributes,
      'broker.dead_letter.reason': 'failed',
    });
    result.observe(deadLettered, stats.malformed, {
      ...attributes,
      'broker.dead_letter.reason': 'malformed',
    });
    result.observe(filtered, stats.filtered, attributes);
    result.observe(duplicates, stats.duplicates, attributes);
    result.observe(outages, stats.outages, attributes);
    result.observe(inFlight, stats.inFlight, attributes);
    result.observe(paused, stats.paused ? 1 : 0, attributes);
    for (const waiting of await backlog.current()) {
      result.observe(lag, waiting.messages, {
        ...attributes,
        'messaging.destination.name': waiting.destination,
        ...(waiting.partition === undefined
          ? {}
          : { 'messaging.destination.partition.id': String(waiting.partition) }),
      });
    }
  };
  const observables = [
    consumed,
    handled,
    retried,
    deadLettered,
    filtered,
    duplicates,
    outages,
    inFlight,
    lag,
    paused,
  ];
  meter.addBatchObservableCallback(observe, observables);
  return { dispose: () => meter.removeBatchObservableCallback(observe, observables) };
}
