/**
 * Publish benchmark: KafkaEventBroker against raw kafkajs at identical settings (idempotent,
 * acks all, one request in flight, batches of `batch` events after at most `linger` ms, the same
 * keys and headers), in the same process, alternating A/B for `pairs` pairs after a warm-up,
 * each run on a fresh single-partition topic. Reports events/s, the A/B ratio (median, min-max),
 * publish-to-ack latency at a fixed rate (p50/p99), the time `publish()` takes in the caller, CPU
 * per event, and kafka-python (Debian) producing the same events as the Python anchor.
 *
 *   pnpm --filter @broker/kafka bench [--quick] [--events N] [--pairs N] [--rate N]
 *                                     [--brokers host:port] [--out file.json] [--no-python]
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { OutboundMessage } from '@broker/core';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaEventBroker } from '../src/index';
import { type BenchEvent, rasaEvents } from './rasa-events';
import { RawKafkajsPublisher } from './raw-kafkajs-publisher';

interface Options {
  events: number;
  warmup: number;
  pairs: number;
  latencyEvents: number;
  rate: number;
  brokers: string[];
  out: string;
  python: boolean;
  quick: boolean;
}

interface Throughput {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** Time `publish()` takes in the caller, in µs (broker only; raw kafkajs has no such call). */
  publishCall?: Percentiles;
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

const LINGER_MS = 5;
const BATCH_EVENTS = 1000;
const RASA_ENVIRONMENT = 'RASA_ENVIRONMENT_NOT_SET';
const here = dirname(fileURLToPath(import.meta.url));
// The bench runs bundled from .bench/, one level below the package, like its source in bench/.
const packageDir = resolve(here, '..');

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    const parsed = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new Error(`${name} must be a positive integer, got ${raw}`);
    return parsed;
  };
  return {
    quick,
    events: number('--events', quick ? 3000 : 50_000),
    warmup: number('--warmup', quick ? 1000 : 10_000),
    pairs: number('--pairs', 5),
    latencyEvents: number('--latency-events', quick ? 300 : 2000),
    rate: number('--rate', 1000),
    brokers: (value('--brokers') ?? process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
    out: resolve(value('--out') ?? join(packageDir, '.bench', 'publish-bench.json')),
    python: !argv.includes('--no-python'),
  };
}

function percentiles(histogram: RecordableHistogram, scale: number): Percentiles {
  const round = (n: number) => Math.round((n / scale) * 100) / 100;
  return {
    p50: round(histogram.percentile(50)),
    p99: round(histogram.percentile(99)),
    max: round(histogram.max),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function freshTopic(admin: ReturnType<Kafka['admin']>, label: string): Promise<string> {
  const topic = `bench-${label}-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  return topic;
}

function newBroker(options: Options, topic: string): KafkaEventBroker {
  return new KafkaEventBroker({
    url: options.brokers,
    topic,
    partitionBySender: true,
    acks: 'all',
    idempotent: true,
    lingerMs: LINGER_MS,
    batchMaxEvents: BATCH_EVENTS,
    queueSize: Math.max(options.events, options.warmup, 100_000),
    rasaEnvironment: RASA_ENVIRONMENT,
  });
}

/** Calls `onConfirm` with the acceptance numbers (1-based) of the events the broker confirms: a measurement probe. */
function probeConfirms(broker: KafkaEventBroker, onConfirm: (seqs: number[], at: number) => void): void {
  const queue = (broker as unknown as { queue: { confirm(messages: Iterable<OutboundMessage>): void } })
    .queue;
  const confirm = queue.confirm.bind(queue);
  queue.confirm = (messages) => {
    const list = [...messages];
    onConfirm(
      list.map((m) => m.seq),
      performance.now(),
    );
    confirm(list);
  };
}

async function brokerFlood(
  options: Options,
  events: readonly BenchEvent[],
  topic: string,
): Promise<Throughput> {
  const broker = newBroker(options, topic);
  await broker.connect();
  const call = createHistogram();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const event of events) {
    const before = performance.now();
    broker.publish(event.body);
    call.record(Math.max(1, Math.round((performance.now() - before) * 1e6)));
  }
  await broker.flush(120_000);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await broker.close();
  return {
    eventsPerSecond: events.length / seconds,
    cpuMicrosPerEvent: (used.user + used.system) / events.length,
    publishCall: percentiles(call, 1000),
  };
}

async function rawFlood(options: Options, events: readonly BenchEvent[], topic: string): Promise<Throughput> {
  const raw = new RawKafkajsPublisher(
    {
      brokers: options.brokers,
      topic,
      lingerMs: LINGER_MS,
      batchMaxEvents: BATCH_EVENTS,
      rasaEnvironment: RASA_ENVIRONMENT,
    },
    () => undefined,
  );
  await raw.connect();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const [i, event] of events.entries()) raw.publish(i, event.senderId, event.body);
  await raw.flush(events.length);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await raw.disconnect();
  return {
    eventsPerSecond: events.length / seconds,
    cpuMicrosPerEvent: (used.user + used.system) / events.length,
  };
}

/** Publishes at a fixed rate (open loop) and records publish-to-ack latency, in ms. */
async function paced(
  options: Options,
  events: readonly BenchEvent[],
  publish: (i: number, event: BenchEvent) => void,
  publishedAt: Float64Array,
): Promise<void> {
  const interval = 1000 / options.rate;
  const start = performance.now();
  for (let i = 0; i < events.length; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    publishedAt[i] = performance.now();
    publish(i, events[i]!);
  }
}

async function brokerLatency(
  options: Options,
  events: readonly BenchEvent[],
  topic: string,
): Promise<Percentiles> {
  const broker = newBroker(options, topic);
  await broker.connect();
  const histogram = createHistogram();
  const publishedAt = new Float64Array(events.length);
  probeConfirms(broker, (seqs, at) => {
    for (const seq of seqs) histogram.record(Math.max(1, Math.round((at - publishedAt[seq - 1]!) * 1000)));
  });
  await paced(options, events, (_i, event) => broker.publish(event.body), publishedAt);
  await broker.flush(60_000);
  await broker.close();
  return percentiles(histogram, 1000);
}

async function rawLatency(
  options: Options,
  events: readonly BenchEvent[],
  topic: string,
): Promise<Percentiles> {
  const histogram = createHistogram();
  const publishedAt = new Float64Array(events.length);
  const raw = new RawKafkajsPublisher(
    {
      brokers: options.brokers,
      topic,
      lingerMs: LINGER_MS,
      batchMaxEvents: BATCH_EVENTS,
      rasaEnvironment: RASA_ENVIRONMENT,
    },
    (ids, at) => {
      for (const id of ids) histogram.record(Math.max(1, Math.round((at - publishedAt[id]!) * 1000)));
    },
  );
  await raw.connect();
  await paced(options, events, (i, event) => raw.publish(i, event.senderId, event.body), publishedAt);
  await raw.flush(events.length);
  await raw.disconnect();
  return percentiles(histogram, 1000);
}

function pythonAnchor(options: Options, events: readonly BenchEvent[], topic: string): number | string {
  const script = join(packageDir, 'bench', 'kafka-python-producer.py');
  const input = JSON.stringify({
    brokers: options.brokers,
    topic,
    linger_ms: LINGER_MS,
    batch_bytes: 512 * 1024,
    events: events.map((e) => [e.senderId, e.body]),
  });
  for (const python of [process.env.BROKER_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!python) continue;
    try {
      const output = execFileSync(python, [script], {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      return (JSON.parse(output) as { events_per_second: number }).events_per_second;
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      if (!stderr.includes('No module named') && !(error as NodeJS.ErrnoException).code)
        return `failed: ${stderr.trim().split('\n').at(-1)}`;
    }
  }
  return 'skipped: no python3 with kafka-python (apt-get install -y python3-kafka)';
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const events = rasaEvents(options.events);
  const latencyEvents = rasaEvents(options.latencyEvents);
  const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(e.body), 0) / events.length;
  const admin = new Kafka({
    clientId: 'bench-admin',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect().catch((error: unknown) => {
    throw new Error(
      `Kafka does not answer at ${options.brokers.join(',')} (${(error as Error).message}). Start it with \`pnpm services:up\` or pass --brokers.`,
    );
  });
  console.log(
    `publish bench: ${options.events} events of ~${Math.round(bytes)} B, ${options.pairs} A/B pairs after ${options.warmup} warm-up events, ` +
      `linger ${LINGER_MS} ms, batches of ${BATCH_EVENTS}, acks all, idempotent, on ${options.brokers.join(',')}`,
  );

  const warmup = rasaEvents(options.warmup);
  await brokerFlood(options, warmup, await freshTopic(admin, 'warm-a'));
  await rawFlood(options, warmup, await freshTopic(admin, 'warm-b'));

  const pairs: {
    broker: Throughput;
    raw: Throughput;
    ratio: number;
    brokerLatency: Percentiles;
    rawLatency: Percentiles;
  }[] = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    // Alternate which side goes first, so drift of the machine does not favour one.
    const brokerFirst = pair % 2 === 0;
    let broker: Throughput | undefined;
    let raw: Throughput | undefined;
    for (const side of brokerFirst ? ['broker', 'raw'] : ['raw', 'broker']) {
      const topic = await freshTopic(admin, side);
      if (side === 'broker') broker = await brokerFlood(options, events, topic);
      else raw = await rawFlood(options, events, topic);
    }
    const brokerLatencyResult = await brokerLatency(options, latencyEvents, await freshTopic(admin, 'lat-a'));
    const rawLatencyResult = await rawLatency(options, latencyEvents, await freshTopic(admin, 'lat-b'));
    const ratio = broker!.eventsPerSecond / raw!.eventsPerSecond;
    pairs.push({
      broker: broker!,
      raw: raw!,
      ratio,
      brokerLatency: brokerLatencyResult,
      rawLatency: rawLatencyResult,
    });
    console.log(
      `pair ${pair + 1}: broker ${Math.round(broker!.eventsPerSecond)} ev/s, raw kafkajs ${Math.round(raw!.eventsPerSecond)} ev/s, ` +
        `ratio ${ratio.toFixed(3)}; ack p50/p99 broker ${brokerLatencyResult.p50}/${brokerLatencyResult.p99} ms, ` +
        `raw ${rawLatencyResult.p50}/${rawLatencyResult.p99} ms; publish() p50/p99 ${broker!.publishCall!.p50}/${broker!.publishCall!.p99} µs`,
    );
  }
  const python = options.python
    ? pythonAnchor(options, events, await freshTopic(admin, 'python'))
    : 'skipped (--no-python)';
  await admin.disconnect();

  const ratios = pairs.map((p) => p.ratio);
  const summary = {
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    eventsPerSecond: {
      broker: median(pairs.map((p) => p.broker.eventsPerSecond)),
      rawKafkajs: median(pairs.map((p) => p.raw.eventsPerSecond)),
      kafkaPython: python,
    },
    ackLatencyMs: {
      rate: options.rate,
      broker: {
        p50: median(pairs.map((p) => p.brokerLatency.p50)),
        p99: median(pairs.map((p) => p.brokerLatency.p99)),
      },
      rawKafkajs: {
        p50: median(pairs.map((p) => p.rawLatency.p50)),
        p99: median(pairs.map((p) => p.rawLatency.p99)),
      },
    },
    publishCallMicros: {
      p50: median(pairs.map((p) => p.broker.publishCall!.p50)),
      p99: median(pairs.map((p) => p.broker.publishCall!.p99)),
    },
    cpuMicrosPerEvent: {
      broker: median(pairs.map((p) => p.broker.cpuMicrosPerEvent)),
      rawKafkajs: median(pairs.map((p) => p.raw.cpuMicrosPerEvent)),
    },
  };
  const kafkajsVersion = (
    JSON.parse(readFileSync(join(packageDir, 'node_modules', 'kafkajs', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const result = {
    benchmark: '@broker/kafka publish',
    date: new Date().toISOString(),
    environment: {
      node: process.version,
      kafkajs: kafkajsVersion,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
    },
    settings: {
      ...options,
      eventBytes: Math.round(bytes),
      lingerMs: LINGER_MS,
      batchMaxEvents: BATCH_EVENTS,
    },
    summary,
    pairs,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\nratio broker/raw kafkajs: median ${summary.ratio.median.toFixed(3)} (min ${summary.ratio.min.toFixed(3)}, max ${summary.ratio.max.toFixed(3)}); ` +
      `events/s broker ${Math.round(summary.eventsPerSecond.broker)}, raw kafkajs ${Math.round(summary.eventsPerSecond.rawKafkajs)}, ` +
      `kafka-python ${typeof python === 'number' ? Math.round(python) : python}`,
  );
  console.log(
    `ack latency at ${options.rate} ev/s p50/p99: broker ${summary.ackLatencyMs.broker.p50}/${summary.ackLatencyMs.broker.p99} ms, ` +
      `raw ${summary.ackLatencyMs.rawKafkajs.p50}/${summary.ackLatencyMs.rawKafkajs.p99} ms; publish() in the caller p50/p99 ` +
      `${summary.publishCallMicros.p50}/${summary.publishCallMicros.p99} µs; CPU µs/event broker ${summary.cpuMicrosPerEvent.broker.toFixed(1)}, ` +
      `raw ${summary.cpuMicrosPerEvent.rawKafkajs.toFixed(1)}`,
  );
  console.log(`results: ${options.out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
