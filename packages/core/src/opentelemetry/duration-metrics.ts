import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import {
  type ConsumeContext,
  consumeChannel,
  type DeliverContext,
  deliverChannel,
} from '../telemetry/channels';
import { errorType } from './error-type';
import { DURATION_BUCKETS_SECONDS, DURATION_METRICS } from './metric-names';
import type { MetricsRegistration } from './publisher-metrics';
import * as semconv from './semconv';

/**
 * One attribute object per distinct set of values, built once: an event's attributes are a
 * lookup, not a few objects spread together (that cost microseconds per event).
 */
function cachedAttributes(build: (values: readonly (string | undefined)[]) => Attributes) {
  const cache = new Map<string, Attributes>();
  return (values: readonly (string | undefined)[]): Attributes => {
    const key = values.join('\u0000');
    let attributes = cache.get(key);
    if (!attributes) {
      attributes = build(values);
      cache.set(key, attributes);
    }
    return attributes;
  };
}

const deliveryAttributes = cachedAttributes(([system, destination, error]) => ({
  [semconv.ATTR_MESSAGING_SYSTEM]: system,
  [semconv.ATTR_MESSAGING_DESTINATION_NAME]: destination,
  [semconv.ATTR_MESSAGING_OPERATION_NAME]: semconv.MESSAGING_OPERATION_TYPE_VALUE_SEND,
  ...(error === undefined ? {} : { [semconv.ATTR_ERROR_TYPE]: error }),
}));

const processAttributes = cachedAttributes(([system, destination, group, result, error]) => ({
  [semconv.ATTR_MESSAGING_SYSTEM]: system,
  [semconv.ATTR_MESSAGING_OPERATION_NAME]: semconv.MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  ...(destination === undefined ? {} : { [semconv.ATTR_MESSAGING_DESTINATION_NAME]: destination }),
  ...(group === undefined ? {} : { [semconv.ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group }),
  'broker.consume.result': result,
  ...(error === undefined ? {} : { [semconv.ATTR_ERROR_TYPE]: error }),
}));

/** Times each context from a start to an end phase; a subscriber must never throw. */
function timed<Context extends object>(
  histogram: Histogram,
  attributes: (context: Context) => Attributes,
  recorded: (context: Context) => boolean,
) {
  const started = new WeakMap<Context, number>();
  return {
    start: (context: Context) => {
      started.set(context, performance.now());
    },
    end: (context: Context) => {
      try {
        const at = started.get(context);
        started.delete(context);
        if (at === undefined || !recorded(context)) return;
        histogram.record((performance.now() - at) / 1000, attributes(context));
      } catch {
        // A metric is never worth breaking a delivery or a consume for.
      }
    },
  };
}

/**
 * Records, for every broker and production consumer in the process (through the
 * `broker:deliver` and `broker:consume` tracing channels), how long a delivery took from
 * its first send to the broker's confirmation (`messaging.client.operation.duration`) and how
 * long a message took from its receipt to its handling: handler, sink, retries, and the wait
 * behind its conversation's earlier events (`messaging.process.duration`). Subscribing
 * makes the packages build the channels' contexts: call it only when metrics are wanted, once
 * per meter.
 */
export function recordMessagingDurations(meter: Meter): MetricsRegistration {
  const bucketed = (name: string, description: string) =>
    meter.createHistogram(name, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    });
  const delivery = timed<DeliverContext>(
    bucketed(DURATION_METRICS.delivery, 'From the first send of an event to its confirmation (or failure).'),
    (context) =>
      deliveryAttributes([
        context.system,
        context.destination,
        context.outcome === 'confirmed' ? undefined : errorType(context.error),
      ]),
    // An event settled without ever being sent (dropped from the buffer) took no send.
    (context) => context.attempts > 0,
  );
  const processing = timed<ConsumeContext>(
    bucketed(
      DURATION_METRICS.process,
      'From the receipt of a message to its handling (handler, sink, retries, the wait behind its conversation).',
    ),
    (context) =>
      processAttributes([
        context.system,
        context.destination,
        context.group,
        context.result ?? 'left',
        context.result === 'failed' ? errorType(context.error) : undefined,
      ]),
    () => true,
  );
  deliverChannel.start.subscribe(delivery.start as (message: unknown) => void);
  deliverChannel.asyncEnd.subscribe(delivery.end as (message: unknown) => void);
  consumeChannel.start.subscribe(processing.start as (message: unknown) => void);
  consumeChannel.asyncStart.subscribe(processing.end as (message: unknown) => void);
  return {
    dispose: () => {
      deliverChannel.start.unsubscribe(delivery.start as (message: unknown) => void);
      deliverChannel.asyncEnd.unsubscribe(delivery.end as (message: unknown) => void);
      consumeChannel.start.unsubscribe(processing.start as (message: unknown) => void);
      consumeChannel.asyncStart.unsubscribe(processing.end as (message: unknown) => void);
    },
  };
}
