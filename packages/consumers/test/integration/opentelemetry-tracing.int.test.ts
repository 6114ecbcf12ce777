import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CONNECTION_CHANNEL,
  CONSUME_CHANNEL,
  CONSUME_RETRY_CHANNEL,
  type ConnectionStateMessage,
  createEventBroker,
  DELIVER_CHANNEL,
  type EventBroker,
  loadEndpoints,
  PUBLISH_CHANNEL,
} from '@broker/core';
import { enableTracing, type TracingHandle, type TracingOptions } from '@broker/core/opentelemetry';
import { propagation, SpanKind } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../src/consumer/consumed-event';
import { createConsumer } from '../../src/consumer/event-consumer';
import {
  deleteRabbit,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { waitFor, wireBody } from '../helpers/wire';

const EVENTS = 12;
let rabbitUrl: string;
let kafkaBootstrap: string;
const rabbitCreated: { queue: string; exchange: string }[] = [];
const topics: string[] = [];
let exporter: InMemorySpanExporter;
let tracing: TracingHandle | undefined;

beforeAll(async () => {
  rabbitUrl = (await requireRabbitMq('main')).url;
  kafkaBootstrap = (await requireKafka('single')).plaintext;
});

const unsubscribes: (() => void)[] = [];

afterEach(() => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  tracing?.disable();
  tracing = undefined;
  propagation.disable();
});

afterAll(async () => {
  for (const names of rabbitCreated) await deleteRabbit(rabbitUrl, names);
  const admin = kafkaAdmin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) }).catch(() => {});
  await admin.disconnect();
});

function kafkaAdmin() {
  return new Kafka({
    brokers: [kafkaBootstrap],
    clientId: 'consumers-test',
    logLevel: logLevel.NOTHING,
  }).admin();
}

function traced(options: TracingOptions = {}): void {
  if (options.propagateContext) propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  tracing = enableTracing({ tracerProvider, ...options });
}

/** The state changes publishers report on `broker:connection` from now on, as `previous>state`. */
function publisherStates(): ConnectionStateMessage[] {
  const seen: ConnectionStateMessage[] = [];
  const listener = (message: unknown) => {
    if ((message as ConnectionStateMessage).role === 'publisher')
      seen.push(message as ConnectionStateMessage);
  };
  diagnosticsChannel.subscribe(CONNECTION_CHANNEL, listener);
  unsubscribes.push(() => diagnosticsChannel.unsubscribe(CONNECTION_CHANNEL, listener));
  return seen;
}

const transitions = (seen: ConnectionStateMessage[]) =>
  seen.map((m) => `${m.system}:${m.previous}>${m.state}`);

const ofKind = (kind: SpanKind): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.kind === kind);

function rabbitEndpoints(): string {
  const names = rabbitNames();
  rabbitCreated.push(names);
  return endpointsFile(pikaEndpoint(rabbitUrl, names));
}

async function kafkaEndpoints(): Promise<{ endpoints: string; topic: string }> {
  const topic = `consumers-otel-${randomUUID().slice(0, 8)}`;
  topics.push(topic, `${topic}.dead-letter`);
  const admin = kafkaAdmin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await waitFor(`leaders of ${topic}`, async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    const found = metadata?.topics[0]?.partitions ?? [];
    return found.length === 2 && found.every((p) => p.leader >= 0);
  });
  await admin.disconnect();
  return { endpoints: endpointsFile(kafkaEndpoint(topic)), topic };
}

/** Publishes EVENTS events over two conversations with the broker the endpoints describe; returns the bodies. */
async function publishAll(endpoints: string): Promise<string[]> {
  const broker = (await createEventBroker(loadEndpoints(endpoints).eventBroker)) as EventBroker;
  const bodies = Array.from({ length: EVENTS }, (_, i) => wireBody(`otel-${i % 2}`));
  for (const body of bodies) broker.publish(body);
  await broker.flush(30_000);
  await broker.close();
  return bodies;
}

/** Consumes EVENTS events from the endpoints' queue or topic; returns them as handled. */
async function consumeAll(endpoints: string, sourceOptions = {}): Promise<ConsumedEvent[]> {
  const handled: ConsumedEvent[] = [];
  const controller = new AbortController();
  const consumer = await createConsumer({
    endpoints,
    sourceOptions,
    handler: (event) => {
      handled.push(event);
    },
    signal: controller.signal,
  });
  const running = consumer.run();
  await waitFor(`${EVENTS} events handled`, () => handled.length >= EVENTS, 30_000);
  // The CONSUMER span ends once the message is settled (acknowledged), just after the handler.
  await waitFor(`${EVENTS} CONSUMER spans`, () => ofKind(SpanKind.CONSUMER).length >= EVENTS, 10_000);
  controller.abort();
  const report = await running;
  expect(report.stats).toMatchObject({ handled: EVENTS, deadLettered: 0 });
  return handled;
}

/** The CONSUMER span of each PRODUCER span, matched by conversation and order. */
function pairs(): [ReadableSpan, ReadableSpan][] {
  const byConversation = (spans: ReadableSpan[]) => {
    const map = new Map<unknown, ReadableSpan[]>();
    for (const span of spans) {
      const key = span.attributes['messaging.message.conversation_id'];
      map.set(key, [...(map.get(key) ?? []), span]);
    }
    return map;
  };
  const consumed = byConversation(ofKind(SpanKind.CONSUMER));
  return [...byConversation(ofKind(SpanKind.PRODUCER))].flatMap(([key, produced]) =>
    produced.map((span, i): [ReadableSpan, ReadableSpan] => [span, consumed.get(key)![i]!]),
  );
}

describe('OpenTelemetry tracing with RabbitMQ', () => {
  it('one PRODUCER span per published event and one CONSUMER span per handled event, no headers added', async () => {
    traced();
    const states = publisherStates();
    const endpoints = rabbitEndpoints();
    const { exchange_name: exchange, queues } = loadEndpoints(endpoints).eventBroker!.kwargs as {
      exchange_name: string;
      queues: string[];
    };
    const bodies = await publishAll(endpoints);
    expect(transitions(states)).toEqual([
      'rabbitmq:idle>connecting',
      'rabbitmq:connecting>ready',
      'rabbitmq:ready>closing',
      'rabbitmq:closing>closed',
    ]);
    const handled = await consumeAll(endpoints);

    const producers = ofKind(SpanKind.PRODUCER);
    expect(producers).toHaveLength(EVENTS);
    const port = Number(new URL(rabbitUrl).port || 5672);
    for (const [i, span] of producers.entries()) {
      expect(span.name).toBe(`send ${exchange}`);
      expect(span.attributes).toEqual({
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': exchange,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'server.address': new URL(rabbitUrl).hostname,
        'server.port': port,
        'messaging.message.body.size': Buffer.byteLength(bodies[i]!),
        'messaging.message.conversation_id': `otel-${i % 2}`,
      });
    }
    const consumers = ofKind(SpanKind.CONSUMER);
    expect(consumers).toHaveLength(EVENTS);
    for (const span of consumers) {
      expect(span.name).toBe(`process ${exchange}`);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': exchange,
        'messaging.destination.subscription.name': queues[0],
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
      });
      expect(span.attributes['messaging.message.body.size']).toBeGreaterThan(0);
    }
    // Propagation off: separate traces, and the wire as without tracing (bodies as sent, no headers).
    for (const [producer, consumer] of pairs()) {
      expect(consumer.spanContext().traceId).not.toBe(producer.spanContext().traceId);
    }
    expect(handled.map((e) => e.body).sort()).toEqual([...bodies].sort());
    expect(handled.every((e) => Object.keys(e.headers).length === 0)).toBe(true);
  });

  it('with propagateContext: a traceparent header, and each CONSUMER span is the child of its PRODUCER span', async () => {
    traced({ propagateContext: true });
    const endpoints = rabbitEndpoints();
    await publishAll(endpoints);
    const handled = await consumeAll(endpoints);
    expect(handled.every((e) => Object.keys(e.headers).join() === 'traceparent')).toBe(true);
    const matched = pairs();
    expect(matched).toHaveLength(EVENTS);
    for (const [producer, consumer] of matched) {
      expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    }
  });

  it("with consumerContext 'link': each CONSUMER span starts a trace of its own that links to its PRODUCER span", async () => {
    traced({ propagateContext: true, consumerContext: 'link' });
    const endpoints = rabbitEndpoints();
    await publishAll(endpoints);
    await consumeAll(endpoints);
    for (const [producer, consumer] of pairs()) {
      expect(consumer.parentSpanContext).toBeUndefined();
      expect(consumer.links.map((l) => l.context.spanId)).toEqual([producer.spanContext().spanId]);
    }
  });

  it('a subscriber that throws breaks neither publishing nor consuming', async () => {
    traced();
    const thrown: unknown[] = [];
    const boom = () => {
      throw new Error('a broken subscriber');
    };
    const handlers = { start: boom, end: boom, asyncStart: boom, asyncEnd: boom, error: boom };
    const tracingChannels = [PUBLISH_CHANNEL, DELIVER_CHANNEL, CONSUME_CHANNEL].map((name) =>
      diagnosticsChannel.tracingChannel(name),
    );
    // Node reports what a subscriber throws as an uncaught exception on the next tick; count them here instead.
    const saved = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => thrown.push(error));
    for (const channel of tracingChannels) channel.subscribe(handlers);
    for (const name of [CONNECTION_CHANNEL, CONSUME_RETRY_CHANNEL]) diagnosticsChannel.subscribe(name, boom);
    try {
      const endpoints = rabbitEndpoints();
      const bodies = await publishAll(endpoints);
      const handled = await consumeAll(endpoints);
      expect(handled.map((e) => e.body).sort()).toEqual([...bodies].sort());
      // The tracing integration subscribed too, and still recorded everything.
      expect(ofKind(SpanKind.PRODUCER)).toHaveLength(EVENTS);
      await waitFor('the broken subscriber’s errors', () => thrown.length > 0);
      expect(thrown.every((e) => (e as Error).message === 'a broken subscriber')).toBe(true);
    } finally {
      for (const channel of tracingChannels) channel.unsubscribe(handlers);
      for (const name of [CONNECTION_CHANNEL, CONSUME_RETRY_CHANNEL])
        diagnosticsChannel.unsubscribe(name, boom);
      // Let the last reports of the broken subscriber arrive before the test runner's listeners come back.
      await new Promise((resolve) => setImmediate(resolve));
      process.removeAllListeners('uncaughtException');
      for (const listener of saved) process.on('uncaughtException', listener);
    }
  });
});

describe('OpenTelemetry tracing with Kafka', () => {
  it('one PRODUCER and one CONSUMER span per event, with topic, partition, key, offset and group', async () => {
    traced();
    const states = publisherStates();
    const { endpoints, topic } = await kafkaEndpoints();
    const group = `g-${topic}`;
    await publishAll(endpoints);
    expect(transitions(states)).toEqual([
      'kafka:idle>connecting',
      'kafka:connecting>ready',
      'kafka:ready>closing',
      'kafka:closing>closed',
    ]);
    const handled = await consumeAll(endpoints, { groupId: group, fromBeginning: true });

    const producers = ofKind(SpanKind.PRODUCER);
    expect(producers).toHaveLength(EVENTS);
    for (const span of producers) {
      expect(span.name).toBe(`send ${topic}`);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.operation.type': 'send',
        'messaging.kafka.message.key': span.attributes['messaging.message.conversation_id'],
      });
      expect(['0', '1']).toContain(span.attributes['messaging.destination.partition.id']);
    }
    const consumers = ofKind(SpanKind.CONSUMER);
    expect(consumers).toHaveLength(EVENTS);
    for (const span of consumers) {
      expect(span.name).toBe(`process ${topic}`);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': group,
        'messaging.kafka.message.key': span.attributes['messaging.message.conversation_id'],
      });
      expect(typeof span.attributes['messaging.kafka.offset']).toBe('number');
      expect(['0', '1']).toContain(span.attributes['messaging.destination.partition.id']);
    }
    // Each conversation is keyed to one partition: producer and consumer agree on it.
    for (const [producer, consumer] of pairs()) {
      expect(consumer.attributes['messaging.destination.partition.id']).toBe(
        producer.attributes['messaging.destination.partition.id'],
      );
    }
    // Propagation off: only the header Rasa's Kafka producer sends.
    expect(handled.every((e) => Object.keys(e.headers).join() === 'RASA_ENVIRONMENT')).toBe(true);
  });

  it('with propagateContext: each CONSUMER span is the child of its PRODUCER span', async () => {
    traced({ propagateContext: true });
    const { endpoints, topic } = await kafkaEndpoints();
    await publishAll(endpoints);
    const handled = await consumeAll(endpoints, { groupId: `g-${topic}`, fromBeginning: true });
    expect(
      handled.every((e) => Object.keys(e.headers).sort().join() === 'RASA_ENVIRONMENT,traceparent'),
    ).toBe(true);
    for (const [producer, consumer] of pairs()) {
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    }
  });
});

describe('the README example', () => {
  it('runs: one trace of a PRODUCER span and its CONSUMER child, printed by the console exporter', async () => {
    const packageDir = fileURLToPath(new URL('../../', import.meta.url));
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.split('### Worked example: the OpenTelemetry SDK and a console exporter')[1] ?? '';
    const sample = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(sample, 'the worked example in README.md').toBeDefined();
    // Names of its own, so that it shares no exchange with other tests; the RabbitMQ of the test services.
    const names = rabbitNames();
    rabbitCreated.push(names);
    const url = new URL(rabbitUrl);
    const code = sample!
      .replaceAll('traced_events', names.queue)
      .replaceAll('traced-exchange', names.exchange)
      .replace('amqp://guest:guest@localhost:5672', `amqp://guest:guest@${url.hostname}:${url.port || 5672}`);
    // Next to package.json, so that the imports resolve as they would in an application.
    const file = join(packageDir, `.readme-example-${randomUUID().slice(0, 8)}.ts`);
    writeFileSync(file, code);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
        cwd: packageDir,
        timeout: 60_000,
      });
      expect(stdout).toContain(`name: 'send ${names.exchange}'`);
      expect(stdout).toContain(`name: 'process ${names.exchange}'`);
      expect(stdout).toContain('handled user of alice');
      const traceIds = new Set([...stdout.matchAll(/traceId: '([0-9a-f]{32})'/g)].map((m) => m[1]));
      expect(traceIds.size).toBe(1);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
