/**
 * OpenTelemetry traces from the tracing channels: a PRODUCER span per published event (from
 * `publish()` to the broker's confirmation) and a CONSUMER span per consumed message (from its
 * receipt to its settlement), named and attributed after the messaging semantic conventions.
 */

import type { Channel } from 'node:diagnostics_channel';
import {
  type Attributes,
  type Context,
  context,
  diag,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ConfigError } from '../errors/errors';
import {
  type ConsumeContext,
  consumeChannel,
  type DeliverContext,
  deliverChannel,
  type PublishContext,
  publishChannel,
} from '../telemetry/channels';
import { errorType } from './error-type';
import * as semconv from './semconv';

declare const __PACKAGE_VERSION__: string;

export interface TracingOptions {
  /** Where spans go. Default: the globally registered provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * Carries the trace context in message headers (W3C `traceparent` with the usual propagator),
   * and continues it in consumers. Off by default: messages then carry no header they would not
   * carry without tracing, so the wire stays as Rasa's. Uses the globally registered propagator
   * (the NodeSDK registers W3C Trace Context); without one, `enableTracing` throws.
   */
  propagateContext?: boolean;
  /**
   * How a consumer's span relates to the producer's context found in the headers: `parent` (the
   * CONSUMER span is its child, one trace end to end; the default) or `link` (a new trace that
   * links to it). Only with `propagateContext`.
   */
  consumerContext?: 'parent' | 'link';
}

export interface TracingHandle {
  /** Stops creating spans (spans already started are left as they are). */
  disable(): void;
}

type Handler<T> = (message: T) => void;

/**
 * Starts tracing every `@broker/*` broker and consumer in this process: subscribes to the
 * `broker:publish`, `broker:deliver` and `broker:consume` channels. Returns a handle to stop.
 */
export function enableTracing(options: TracingOptions = {}): TracingHandle {
  const propagate = options.propagateContext ?? false;
  if (propagate && propagation.fields().length === 0) {
    throw new ConfigError(
      'propagateContext is on, but no OpenTelemetry propagator is registered, so no trace context could be written to ' +
        'or read from message headers. Start the OpenTelemetry NodeSDK first (it registers W3C Trace Context), or call ' +
        'propagation.setGlobalPropagator(new W3CTraceContextPropagator()) from @opentelemetry/core.',
      { key: 'propagateContext' },
    );
  }
  const consumerContext = options.consumerContext ?? 'parent';
  if (consumerContext !== 'parent' && consumerContext !== 'link') {
    throw new ConfigError(
      `consumerContext must be 'parent' or 'link', got ${JSON.stringify(consumerContext)}.`,
      {
        key: 'consumerContext',
      },
    );
  }
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  // The version is set by the build; the tests run the sources without it.
  const version = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : undefined;
  const tracer = provider.getTracer('@broker/core', version);
  const spans = new WeakMap<object, Span>();
  const subscriptions: [Channel, (message: unknown) => void][] = [];
  const on = <T>(channel: Channel, handler: Handler<T>) => {
    const safe = guarded(handler) as (message: unknown) => void;
    channel.subscribe(safe);
    subscriptions.push([channel, safe]);
  };

  on<PublishContext>(publishChannel.start, (published) => {
    const parent = context.active();
    const span = tracer.startSpan(
      spanName(semconv.MESSAGING_OPERATION_TYPE_VALUE_SEND, published.destination),
      { kind: SpanKind.PRODUCER, attributes: producerAttributes(published) },
      parent,
    );
    spans.set(published, span);
    if (propagate) {
      const headers = { ...published.headers };
      propagation.inject(trace.setSpan(parent, span), headers);
      published.headers = headers;
    }
  });
  on<PublishContext>(publishChannel.error, (published) => {
    const span = spans.get(published);
    if (!span) return;
    spans.delete(published);
    failed(span, published.error);
    span.end();
  });
  on<PublishContext>(publishChannel.end, (published) => {
    const span = spans.get(published);
    if (!span) return;
    if (published.bodySize !== undefined)
      span.setAttribute(semconv.ATTR_MESSAGING_MESSAGE_BODY_SIZE, published.bodySize);
    if (published.senderId !== undefined)
      span.setAttribute(semconv.ATTR_MESSAGING_MESSAGE_CONVERSATION_ID, published.senderId);
  });
  on<DeliverContext>(deliverChannel.asyncEnd, (delivered) => {
    const span = delivered.publish && spans.get(delivered.publish);
    if (!span || !delivered.publish) return;
    spans.delete(delivered.publish);
    span.setAttributes(deliveryAttributes(delivered));
    if (delivered.outcome !== 'confirmed') failed(span, delivered.error);
    span.end();
  });

  on<ConsumeContext>(consumeChannel.start, (consumed) => {
    const { parent, links } = propagate
      ? continued(consumed.headers, consumerContext)
      : { parent: context.active(), links: undefined };
    const span = tracer.startSpan(
      spanName(semconv.MESSAGING_OPERATION_TYPE_VALUE_PROCESS, consumed.destination ?? ''),
      { kind: SpanKind.CONSUMER, attributes: consumerAttributes(consumed), ...(links ? { links } : {}) },
      parent,
    );
    spans.set(consumed, span);
  });
  on<ConsumeContext>(consumeChannel.error, (consumed) => {
    const span = spans.get(consumed);
    if (span) failed(span, consumed.error);
  });
  on<ConsumeContext>(consumeChannel.asyncEnd, (consumed) => {
    const span = spans.get(consumed);
    if (!span) return;
    spans.delete(consumed);
    if (consumed.senderId !== undefined)
      span.setAttribute(semconv.ATTR_MESSAGING_MESSAGE_CONVERSATION_ID, consumed.senderId);
    span.end();
  });

  return {
    disable: () => {
      for (const [channel, handler] of subscriptions.splice(0)) channel.unsubscribe(handler);
    },
  };
}

/** The span name the conventions ask for: `{operation} {destination}`. */
function spanName(operation: string, destination: string): string {
  return destination === '' ? operation : `${operation} ${destination}`;
}

type Target = Pick<ConsumeContext, 'system' | 'destination'> &
  Pick<PublishContext, 'serverAddress' | 'serverPort'>;

/** The attributes every span of one destination shares; built once per destination (spreading objects per event is slow). */
function destinationAttributes(target: Target, operation: string): Attributes {
  const attributes: Attributes = {};
  attributes[semconv.ATTR_MESSAGING_SYSTEM] = target.system;
  if (target.destination !== undefined)
    attributes[semconv.ATTR_MESSAGING_DESTINATION_NAME] = target.destination;
  attributes[semconv.ATTR_MESSAGING_OPERATION_TYPE] = operation;
  attributes[semconv.ATTR_MESSAGING_OPERATION_NAME] = operation;
  if (target.serverAddress !== undefined) attributes[semconv.ATTR_SERVER_ADDRESS] = target.serverAddress;
  if (target.serverPort !== undefined) attributes[semconv.ATTR_SERVER_PORT] = target.serverPort;
  return attributes;
}

const producerAttributeCache = new Map<string, Attributes>();

/** The PRODUCER span's attributes at its start: the same for every event of a broker (the SDK copies them). */
function producerAttributes(published: PublishContext): Attributes {
  const key = `${published.system}\0${published.destination}\0${published.serverAddress}\0${published.serverPort}`;
  let attributes = producerAttributeCache.get(key);
  if (!attributes) {
    attributes = destinationAttributes(published, semconv.MESSAGING_OPERATION_TYPE_VALUE_SEND);
    producerAttributeCache.set(key, attributes);
  }
  return attributes;
}

function deliveryAttributes(delivered: DeliverContext): Attributes {
  const attributes: Attributes = {};
  if (delivered.routingKey)
    attributes[semconv.ATTR_MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY] = delivered.routingKey;
  if (delivered.messageKey !== undefined)
    attributes[semconv.ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = delivered.messageKey;
  if (delivered.partition !== undefined)
    attributes[semconv.ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(delivered.partition);
  return attributes;
}

function consumerAttributes(consumed: ConsumeContext): Attributes {
  const attributes = destinationAttributes(consumed, semconv.MESSAGING_OPERATION_TYPE_VALUE_PROCESS);
  attributes[semconv.ATTR_MESSAGING_MESSAGE_BODY_SIZE] = consumed.bodySize;
  if (consumed.queue !== undefined)
    attributes[semconv.ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME] = consumed.queue;
  if (consumed.routingKey)
    attributes[semconv.ATTR_MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY] = consumed.routingKey;
  if (consumed.group !== undefined) attributes[semconv.ATTR_MESSAGING_CONSUMER_GROUP_NAME] = consumed.group;
  if (consumed.partition !== undefined)
    attributes[semconv.ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(consumed.partition);
  if (consumed.offset !== undefined)
    attributes[semconv.ATTR_MESSAGING_KAFKA_OFFSET] = Number(consumed.offset);
  if (consumed.messageKey !== undefined)
    attributes[semconv.ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = consumed.messageKey;
  if (consumed.messageId !== undefined) attributes[semconv.ATTR_MESSAGING_MESSAGE_ID] = consumed.messageId;
  return attributes;
}

/** The producer's context from the headers: the parent of the CONSUMER span, or a link from it. */
function continued(
  headers: Readonly<Record<string, string>>,
  mode: 'parent' | 'link',
): { parent: Context; links: Link[] | undefined } {
  const extracted = propagation.extract(ROOT_CONTEXT, headers);
  const producer = trace.getSpanContext(extracted);
  if (!producer || !trace.isSpanContextValid(producer)) return { parent: context.active(), links: undefined };
  if (mode === 'parent') return { parent: extracted, links: undefined };
  return { parent: context.active(), links: [{ context: producer }] };
}

function failed(span: Span, error: unknown): void {
  span.setAttribute(semconv.ATTR_ERROR_TYPE, errorType(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** A subscriber must never throw into the broker or the consumer: what fails here goes to OpenTelemetry's diag log. */
function guarded<T>(handler: Handler<T>): Handler<T> {
  return (message) => {
    try {
      handler(message);
    } catch (error) {
      diag.error('@broker/core tracing: a span could not be recorded', error);
    }
  };
}
