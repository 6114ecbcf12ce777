import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { toEndpointConfig } from '@broker/core';
import amqplib from 'amqplib';
import {
  nodeMeasurement,
  type ResourceUsage,
  type RunMeasurement,
  startResourceMonitor,
} from 'broker-bench-harness';
import pg from 'pg';
import { EventConsumer, openMessageSource } from '../src/consumer/event-consumer';
import type { EventSink } from '../src/sinks/event-sink';
import { PostgresSink } from '../src/sinks/postgres/postgres-sink';
import { StdoutSink } from '../src/sinks/stdout-sink';
import { kafkaClient } from './bench-fill';

/** Where a run consumes from. */
export type ConsumeTarget =
  | { broker: 'rabbitmq'; url: string; queue: string; exchange: string }
  | { broker: 'kafka'; brokers: string[]; topic: string };

export interface ConsumeRun {
  target: ConsumeTarget;
  /** Messages consumed before timing starts. */
  warmup: number;
  /** Messages timed after the warm-up. */
  messages: number;
  prefetch: number;
}

/**
 * Times the messages after the warm-up: from the first one after it to the last one handled.
 * CPU, event-loop delay and RSS cover the same stretch.
 */
class Stopwatch {
  private count = 0;
  private monitor: { stop(): ResourceUsage } | undefined;
  private startedAt = 0;
  private result: { seconds: number; usage: ResourceUsage } | undefined;
  private reached: (() => void) | undefined;
  readonly done = new Promise<void>((resolve) => (this.reached = resolve));

  constructor(private readonly run: ConsumeRun) {}

  tick(): void {
    this.count++;
    if (this.count === this.run.warmup + 1) {
      this.monitor = startResourceMonitor();
      this.startedAt = performance.now();
    }
    if (this.count === this.run.warmup + this.run.messages) {
      const seconds = (performance.now() - this.startedAt) / 1000;
      this.result = { seconds, usage: this.monitor!.stop() };
      this.reached?.();
    }
  }

  measurement(details: RunMeasurement['details']): RunMeasurement {
    if (!this.result)
      throw new Error(`handled ${this.count} of ${this.run.warmup + this.run.messages} messages`);
    return nodeMeasurement(this.run.messages, this.result.seconds, this.result.usage, {}, details);
  }
}

/**
 * Both sides write to `process.stdout`, which the parent points at /dev/null: what
 * `broker consume > file` gets (Node writes to a file synchronously).
 */
const out = process.stdout;

/** The baseline: the raw client, each body written to stdout, then acknowledged (amqplib prefetch; kafkajs eachMessage). */
export async function consumeRaw(run: ConsumeRun): Promise<RunMeasurement> {
  const stopwatch = new Stopwatch(run);
  const total = run.warmup + run.messages;
  if (run.target.broker === 'rabbitmq') {
    const connection = await amqplib.connect(run.target.url);
    const channel = await connection.createChannel();
    await channel.prefetch(run.prefetch);
    let count = 0;
    await channel.consume(run.target.queue, (message) => {
      if (!message || count >= total) return;
      count++;
      out.write(message.content);
      out.write('\n');
      channel.ack(message);
      stopwatch.tick();
    });
    await stopwatch.done;
    await connection.close();
  } else {
    const consumer = kafkaClient(run.target.brokers).consumer({ groupId: `bench-raw-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: run.target.topic, fromBeginning: true });
    let count = 0;
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        if (count >= total) return;
        count++;
        out.write(message.value ?? Buffer.alloc(0));
        out.write('\n');
        stopwatch.tick();
      },
    });
    await stopwatch.done;
    await consumer.disconnect();
  }
  return stopwatch.measurement({ prefetch: run.prefetch });
}

/**
 * Ours: EventConsumer (parse, validate, per-conversation lanes, retries, ack after the sink)
 * with the stdout sink (stdout is /dev/null) or the PostgreSQL sink in a fresh schema.
 */
export async function consumeOurs(
  run: ConsumeRun,
  sinkKind: 'stdout' | 'postgres',
  databaseUrl: string,
): Promise<RunMeasurement> {
  const stopwatch = new Stopwatch(run);
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const sink: EventSink =
    sinkKind === 'stdout'
      ? new StdoutSink({ stream: out, format: 'json' })
      : await PostgresSink.open({ databaseUrl, schema });
  const section =
    run.target.broker === 'rabbitmq'
      ? { type: 'pika', url: run.target.url, queues: [run.target.queue], exchange_name: run.target.exchange }
      : {
          type: 'kafka',
          url: run.target.brokers.join(','),
          topic: run.target.topic,
          security_protocol: 'PLAINTEXT',
        };
  const source = await openMessageSource(
    toEndpointConfig(section),
    run.target.broker === 'kafka' ? { groupId: `bench-ours-${randomUUID()}`, fromBeginning: true } : {},
  );
  const timed: EventSink = {
    name: sink.name,
    ...(sink.pipelined ? { pipelined: true } : {}),
    ...(sink.preferredConcurrency ? { preferredConcurrency: sink.preferredConcurrency } : {}),
    close: () => sink.close(),
    write: async (event) => {
      await sink.write(event);
      stopwatch.tick();
    },
  };
  try {
    const consumer = new EventConsumer(
      source,
      {
        sink: timed,
        // The PostgreSQL sink's own window (its batches in flight), as `broker consume --sink postgres`.
        ...(sinkKind === 'stdout' ? { concurrency: run.prefetch } : {}),
        maxEvents: run.warmup + run.messages,
      },
      true,
    );
    const report = await consumer.run();
    if (report.stats.handled !== run.warmup + run.messages) {
      throw new Error(`handled ${report.stats.handled} of ${run.warmup + run.messages}`);
    }
    return stopwatch.measurement({
      prefetch: sinkKind === 'stdout' ? run.prefetch : (sink.preferredConcurrency ?? run.prefetch),
      sink: sinkKind,
    });
  } finally {
    await sink.close();
    if (sinkKind === 'postgres') {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}
