/**
 * What observability costs: RabbitMQ publish throughput and `publish()` call time
 * (PikaEventBroker) and consume throughput (EventConsumer, stdout sink), each with (a) nothing
 * subscribed to the tracing channels, (b) every tracing channel subscribed by a no-op, and (c)
 * the OpenTelemetry integration (`enableTracing`) on an SDK tracer provider with a batch span
 * processor and a no-op exporter. The three alternate in the same run, one process per run, and
 * (b) and (c) are given as ratios to (a). The channels and the spans are the same code for Kafka
 * (core's buffered broker, the consumer), so RabbitMQ stands for both.
 *
 *   pnpm --filter @broker/consumers bench:telemetry [--quick] [--events N] [--warmup N] [--pairs N]
 *        [--prefetch N] [--out file.json]
 */
import { randomUUID } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONNECTION_CHANNEL,
  CONSUME_CHANNEL,
  CONSUME_RETRY_CHANNEL,
  DELIVER_CHANNEL,
  PUBLISH_CHANNEL,
} from '@broker/core';
import { enableTracing, recordMessagingDurations } from '@broker/core/opentelemetry';
import { ExportResultCode } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  beginSuite,
  benchOptions,
  buildComparison,
  childTask,
  closedLoopLength,
  measureThroughput,
  positiveInteger,
  printComparison,
  printRun,
  type RunMeasurement,
  rasaCorpus,
  reportToParent,
  runAlternatingPairs,
  runInChild,
  writeSuiteResult,
} from 'broker-bench-harness';
import { requireRabbitMq } from 'broker-test-kit';
import { withBenchTopology } from '../../pika/bench/bench-topology';
import { PikaSide } from '../../pika/bench/publisher-sides';
import { deleteQueue, fillQueue } from './bench-fill';
import { consumeOurs } from './consumer-runs';

type Telemetry = 'none' | 'channels' | 'otel' | 'metrics';

interface RunTask {
  measure: 'publish' | 'consume';
  telemetry: Telemetry;
  url: string;
  events: number;
  warmup: number;
  window: number;
  /** Consume runs: the filled queue. */
  queue?: string;
  exchange?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const SIDES: Record<Telemetry, string> = {
  none: '(a) nothing subscribed',
  channels: '(b) tracing channels, no-op subscribers',
  otel: '(c) OpenTelemetry tracing, no-op exporter',
  metrics: '(d) OpenTelemetry metrics as `--metrics-port` records them, never scraped',
};

/** A span exporter that drops everything: what is measured is creating and ending the spans. */
const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};

function instrument(telemetry: Telemetry): void {
  if (telemetry === 'channels') {
    const noop = () => {};
    const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
    for (const name of [PUBLISH_CHANNEL, DELIVER_CHANNEL, CONSUME_CHANNEL])
      diagnosticsChannel.tracingChannel(name).subscribe(handlers);
    for (const name of [CONNECTION_CHANNEL, CONSUME_RETRY_CHANNEL]) diagnosticsChannel.subscribe(name, noop);
  } else if (telemetry === 'otel') {
    enableTracing({
      tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] }),
    });
  } else if (telemetry === 'metrics') {
    // The per-event part of the command line's metrics: the duration histograms (the counters
    // are read from stats() only when scraped).
    const reader = new PrometheusExporter({ preventServerStart: true });
    recordMessagingDurations(new MeterProvider({ readers: [reader] }).getMeter('bench'));
  }
}

async function runTask(task: RunTask): Promise<RunMeasurement> {
  instrument(task.telemetry);
  if (task.measure === 'publish') {
    const events = rasaCorpus(task.warmup + task.events);
    return withBenchTopology(task.url, (topology) =>
      measureThroughput(
        new PikaSide(task.url, topology, task.window, Math.max(100_000, task.window * 4), 'text'),
        events,
        task,
      ),
    );
  }
  return consumeOurs(
    {
      target: { broker: 'rabbitmq', url: task.url, queue: task.queue!, exchange: task.exchange! },
      warmup: task.warmup,
      messages: task.events,
      prefetch: task.window,
    },
    'stdout',
    '',
  );
}

async function main(): Promise<void> {
  const args = benchOptions({
    events: { type: 'string' },
    warmup: { type: 'string' },
    prefetch: { type: 'string' },
  });
  const quick = args.quick === true;
  const { measured: events, warmup } = closedLoopLength(
    'events',
    { count: args.events, warmup: args.warmup },
    quick,
  );
  const pairs = positiveInteger('pairs', args.pairs, quick ? 1 : 5);
  const prefetch = positiveInteger('prefetch', args.prefetch, 64);
  const window = 1000;
  const url = (await requireRabbitMq('main')).url;
  const out = resolve(args.out ?? join(here, '.results', 'telemetry-bench.json'));
  const suite = beginSuite(
    'telemetry-overhead',
    'What tracing channels and OpenTelemetry tracing cost',
    quick,
  );
  suite.settings = { events, warmup, pairs, window, prefetch };
  console.log(
    `Telemetry overhead: ${events} events x ${pairs} pair(s) after ${warmup} warm-up; publish window ${window}, ` +
      `consume prefetch ${prefetch}; Node ${process.version}`,
  );
  const script = fileURLToPath(import.meta.url);
  const sides = ['none', 'channels', 'otel', 'metrics'] as const;
  const labelled = sides.map((id) => ({ id, label: SIDES[id] }));

  const publishRuns = await runAlternatingPairs<RunMeasurement, Telemetry>({
    sides,
    pairs,
    run: (telemetry) =>
      runInChild<RunMeasurement>(script, {
        measure: 'publish',
        telemetry,
        url,
        events,
        warmup,
        window,
      } satisfies RunTask),
    onRun: (side, pair, run) => printRun(`publish ${SIDES[side]}`, pair, run.eventsPerSecond),
  });
  suite.comparisons.push(
    buildComparison({
      id: 'publish',
      title: 'RabbitMQ publish (PikaEventBroker)',
      method:
        `Closed loop, at most ${window} events unconfirmed, ${events} events per run after ${warmup} warm-up, ` +
        'persistent with publisher confirms; counted when RabbitMQ confirmed them.',
      sides: labelled,
      runs: publishRuns,
      ours: 'channels',
      raw: 'none',
    }),
  );
  printComparison(suite.comparisons.at(-1)!);

  const corpus = rasaCorpus(warmup + events, 200);
  const consumeRuns = await runAlternatingPairs<RunMeasurement, Telemetry>({
    sides,
    pairs,
    run: async (telemetry) => {
      const queue = `bench-${randomUUID()}`;
      const exchange = `bench-x-${randomUUID()}`;
      await fillQueue(url, queue, corpus);
      try {
        return await runInChild<RunMeasurement>(
          script,
          {
            measure: 'consume',
            telemetry,
            url,
            events,
            warmup,
            window: prefetch,
            queue,
            exchange,
          } satisfies RunTask,
          { stdout: 'null' },
        );
      } finally {
        await deleteQueue(url, queue, exchange);
      }
    },
    onRun: (side, pair, run) => printRun(`consume ${SIDES[side]}`, pair, run.eventsPerSecond),
  });
  suite.comparisons.push(
    buildComparison({
      id: 'consume',
      title: 'RabbitMQ consume (EventConsumer, stdout sink)',
      method:
        `${events} messages per run after ${warmup} warm-up, prefetch ${prefetch}, an ack per message after the ` +
        'sink (stdout to /dev/null); timed from the first message after the warm-up to the last one handled.',
      sides: labelled,
      runs: consumeRuns,
      ours: 'channels',
      raw: 'none',
    }),
  );
  printComparison(suite.comparisons.at(-1)!);
  writeSuiteResult(out, suite);
  console.log(`\nresults written to ${out}`);
}

const task = childTask<RunTask>();
if (task) await reportToParent(() => runTask(task));
else await main();
