import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, InMemoryEventBroker, noopLogger, PublishError, slotSet } from '../src/index';
import { enableTracing, type TracingHandle } from '../src/opentelemetry/index';
import * as semconv from '../src/opentelemetry/semconv';
import { ManualBroker } from './helpers/manual-broker';

const event = (n: number, sender = 's') => ({ sender_id: sender, ...slotSet('n', n, { timestamp: 1 }) });

let exporter: InMemorySpanExporter;
let handle: TracingHandle | undefined;

function traced(options: Parameters<typeof enableTracing>[0] = {}): InMemorySpanExporter {
  exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  handle = enableTracing({ tracerProvider, ...options });
  return exporter;
}

afterEach(() => {
  handle?.disable();
  handle = undefined;
  propagation.disable();
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();

describe('the semantic conventions this integration pins', () => {
  it('match @opentelemetry/semantic-conventions 1.45.0 (incubating)', () => {
    const pinned = Object.entries(semconv).filter(
      ([name]) => name.startsWith('ATTR_') || name.startsWith('MESSAGING_'),
    );
    expect(pinned.length).toBeGreaterThan(15);
    for (const [name, value] of pinned) {
      expect([name, (incubating as Record<string, unknown>)[name]]).toEqual([name, value]);
    }
  });
});

describe('enableTracing: PRODUCER spans', () => {
  it('records one span per confirmed event, from publish() to the confirmation, with the messaging attributes', () => {
    traced();
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1, 'alice'));
    broker.publish(event(2, 'bob'));
    expect(spans()).toHaveLength(0);
    const batch = broker.takeAll();
    broker.confirm(batch);
    expect(spans()).toHaveLength(2);
    const [first] = spans();
    expect(first?.name).toBe('send');
    expect(first?.kind).toBe(SpanKind.PRODUCER);
    expect(first?.status.code).toBe(SpanStatusCode.UNSET);
    expect(first?.attributes).toEqual({
      'messaging.system': 'manual',
      'messaging.destination.name': '',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.message.body.size': batch[0]?.size,
      'messaging.message.conversation_id': 'alice',
    });
  });

  it('ends a span with an error status and error.type when the event fails or publish() refuses it', async () => {
    traced();
    const broker = new ManualBroker({ logger: noopLogger });
    broker.on('error', () => {});
    broker.publish(event(1));
    broker.failInFlight(broker.takeAll(), new PublishError('refused by the broker'));
    await broker.close({ timeout: 0 });
    expect(() => broker.publish(event(2))).toThrow();
    const [failed, refused] = spans();
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'refused by the broker' });
    expect(failed?.attributes['error.type']).toBe('BROKER_PUBLISH_FAILED');
    expect(refused?.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused?.attributes['error.type']).toBe('BROKER_CLOSED');
  });

  it('is a child of the span active where publish() was called', () => {
    traced();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const outer = new BasicTracerProvider().getTracer('test').startSpan('save tracker');
      const broker = new ManualBroker({ logger: noopLogger });
      context.with(trace.setSpan(context.active(), outer), () => broker.publish(event(1)));
      broker.confirm(broker.takeAll());
      expect(spans()[0]?.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
      expect(spans()[0]?.spanContext().traceId).toBe(outer.spanContext().traceId);
    } finally {
      context.disable();
    }
  });

  it('adds no header without propagateContext: the message is sent exactly as before', async () => {
    traced();
    const broker = new InMemoryEventBroker({ logger: noopLogger });
    broker.publish(event(1));
    await broker.flush(5000);
    expect(broker.messages[0]?.headers).toBeUndefined();
    await broker.close();
    expect(spans()).toHaveLength(1);
  });

  it('writes the span as a W3C traceparent header with propagateContext, keeping the caller’s headers', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    traced({ propagateContext: true });
    const broker = new InMemoryEventBroker({ logger: noopLogger });
    broker.publish(event(1), { headers: { 'rasa-export-process-id': 'p1' } });
    await broker.flush(5000);
    await broker.close();
    const [span] = spans();
    const { traceId, spanId } = span!.spanContext();
    expect(broker.messages[0]?.headers).toEqual({
      'rasa-export-process-id': 'p1',
      traceparent: `00-${traceId}-${spanId}-01`,
    });
  });

  it('refuses propagateContext without a registered propagator, and a bad consumerContext, naming the option', () => {
    expect(() => traced({ propagateContext: true })).toThrow(ConfigError);
    expect(() => traced({ propagateContext: true })).toThrow(/propagateContext.*W3CTraceContextPropagator/s);
    expect(() => traced({ consumerContext: 'child' as 'parent' })).toThrow(
      /consumerContext must be 'parent' or 'link'/,
    );
  });

  it('stops recording once disabled', () => {
    traced();
    handle?.disable();
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1));
    broker.confirm(broker.takeAll());
    expect(spans()).toHaveLength(0);
  });
});
