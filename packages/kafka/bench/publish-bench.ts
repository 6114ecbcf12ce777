/**
 * Kafka publish benchmark: KafkaEventBroker against raw kafkajs at identical settings
 * (idempotent, acks all, one request in flight, batches of 1000 after at most 5 ms, the same
 * keys and headers, the same ~400-byte Rasa bodies, a fresh single-partition topic per run) and
 * against Debian's kafka-python. Every run is its own process; sides alternate A/B for
 * `--pairs` pairs, each after a warm-up. Then end-to-end latency at fixed rates, from each
 * event's scheduled send time to its arrival at a kafkajs consumer in the same process. A second
 * throughput comparison publishes event objects, as a tracker store does, against raw kafkajs
 * sending `JSON.stringify` of the same objects (`--objects-only` runs just that one).
 *
 *   pnpm --filter @broker/kafka bench [--quick] [--events N] [--warmup N] [--pairs N] [--window N]
 *        [--python-events N] [--no-python] [--objects-only] [--rates 100,1000,5000]
 *        [--rate-seconds N] [--brokers host:port] [--out file.json]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BodyForm,
  beginSuite,
  benchOptions,
  buildComparison,
  childTask,
  closedLoopLength,
  compareAtFixedRates,
  compareObjectPublishing,
  installedVersion,
  meanBodyBytes,
  measureEndToEnd,
  measureThroughput,
  positiveInteger,
  printComparison,
  printRun,
  pythonExecutable,
  pythonVersions,
  type RunMeasurement,
  rasaCorpus,
  rateSettings,
  reportToParent,
  runAlternatingPairs,
  runInChild,
  runPythonAnchor,
  writeSuiteResult,
} from 'broker-bench-harness';
import { loadServices, requireKafka } from 'broker-test-kit';
import { consumeArrivals, withBenchTopic } from './bench-topic';
import { KafkajsSide, KafkaSide, type ProducerSettings } from './publisher-sides';

type NodeSide = 'kafka' | 'kafkajs';

interface RunTask {
  mode: 'throughput' | 'end-to-end';
  side: NodeSide;
  brokers: string[];
  events: number;
  warmup: number;
  window: number;
  bodies: BodyForm;
  rate?: number;
}

const LINGER_MS = 5;
const BATCH_EVENTS = 1000;
const here = dirname(fileURLToPath(import.meta.url));
const SIDES = {
  kafka: 'KafkaEventBroker',
  kafkajs: 'raw kafkajs',
  'kafka-python': 'Python kafka-python',
} as const;

async function runTask(task: RunTask): Promise<RunMeasurement> {
  const events = rasaCorpus(task.warmup + task.events, 100, task.bodies === 'objects');
  return withBenchTopic(task.brokers, (topic) => {
    const settings: ProducerSettings = {
      brokers: task.brokers,
      topic,
      lingerMs: LINGER_MS,
      batchMaxEvents: BATCH_EVENTS,
      queueSize: Math.max(100_000, task.window * 4),
      bodies: task.bodies,
    };
    const side = task.side === 'kafka' ? new KafkaSide(settings) : new KafkajsSide(settings);
    if (task.mode === 'throughput') return measureThroughput(side, events, task);
    return measureEndToEnd(side, events, {
      rate: task.rate!,
      warmup: task.warmup,
      subscribe: (onArrival) => consumeArrivals(task.brokers, topic, onArrival),
    });
  });
}

async function main(): Promise<void> {
  const args = benchOptions({
    events: { type: 'string' },
    warmup: { type: 'string' },
    window: { type: 'string' },
    'python-events': { type: 'string' },
    'no-python': { type: 'boolean', default: false },
    'objects-only': { type: 'boolean', default: false },
    rates: { type: 'string' },
    'rate-seconds': { type: 'string' },
    brokers: { type: 'string' },
  });
  const quick = args.quick === true;
  const { measured: events, warmup } = closedLoopLength(
    'events',
    { count: args.events, warmup: args.warmup },
    quick,
  );
  const pairs = positiveInteger('pairs', args.pairs, quick ? 1 : 5);
  const window = positiveInteger('window', args.window, 5000);
  const pythonEvents = positiveInteger('python-events', args['python-events'], quick ? 1000 : 20_000);
  const brokers = (
    args.brokers ??
    process.env.KAFKA_BROKERS ??
    (await requireKafka('single')).plaintext
  ).split(',');
  const out = resolve(args.out ?? join(here, '..', '.bench', 'publish-bench.json'));
  const objectsOnly = args['objects-only'] === true;
  const withPython = args['no-python'] !== true && !objectsOnly;
  // --objects-only: no fixed-rate runs either.
  const rate = { ...rateSettings(args, quick), ...(objectsOnly ? { rates: [] } : {}) };

  const suite = beginSuite('kafka-publish', 'Kafka: KafkaEventBroker vs raw kafkajs vs kafka-python', quick);
  suite.versions.kafkajs = installedVersion('kafkajs', resolve(here, '..'));
  suite.versions.kafka = loadServices().kafka.single.version;
  const python = pythonExecutable(loadServices().python.executable);
  if (withPython) {
    const versions = pythonVersions(python);
    suite.versions.python = versions.python;
    suite.versions.kafkaPython = versions.kafkaPython;
  }
  const eventBytes = meanBodyBytes(rasaCorpus(warmup + events));
  suite.settings = {
    events,
    eventBytes,
    warmup,
    pairs,
    window,
    pythonEvents,
    rate,
    withPython,
    lingerMs: LINGER_MS,
    batchMaxEvents: BATCH_EVENTS,
  };
  console.log(
    `Kafka publish: ${events} events of ~${eventBytes} B x ${pairs} pair(s) after ${warmup} warm-up, window ${window}, linger ${LINGER_MS} ms, ` +
      `batches of ${BATCH_EVENTS}, acks all, idempotent; Kafka ${suite.versions.kafka} at ${brokers.join(',')}, ` +
      `kafkajs ${suite.versions.kafkajs}, Node ${process.version}`,
  );

  const script = fileURLToPath(import.meta.url);
  const nodeRun = (side: NodeSide, bodies: BodyForm) =>
    runInChild<RunMeasurement>(script, {
      mode: 'throughput',
      side,
      brokers,
      events,
      warmup,
      window,
      bodies,
    } satisfies RunTask);
  const method =
    `Closed loop: at most ${window} events unacknowledged; ${events} events per Node run` +
    `${withPython ? ` and ${pythonEvents} per Python run` : ''} after a warm-up; linger ${LINGER_MS} ms, batches of up ` +
    `to ${BATCH_EVENTS}, one request in flight${withPython ? ' (kafka-python: no idempotence)' : ''}. Latency is ` +
    'publish to acknowledgement.';
  if (!objectsOnly) {
    const throughputSides = withPython
      ? (['kafka', 'kafkajs', 'kafka-python'] as const)
      : (['kafka', 'kafkajs'] as const);
    const runs = await runAlternatingPairs<RunMeasurement, keyof typeof SIDES>({
      sides: throughputSides,
      pairs,
      run: async (side) => {
        if (side !== 'kafka-python') return nodeRun(side, 'text');
        const pythonWarmup = Math.min(warmup, pythonEvents);
        const corpus = rasaCorpus(pythonWarmup + pythonEvents);
        return withBenchTopic(brokers, (topic) =>
          runPythonAnchor(python, resolve(here, '../../../bench/python/kafka_python_producer.py'), {
            brokers,
            topic,
            events: corpus.map((event) => [event.senderId, event.body]),
            warmup: pythonWarmup,
            window,
            linger_ms: LINGER_MS,
            batch_bytes: 512 * 1024,
          }),
        );
      },
      onRun: (side, pair, run) => printRun(SIDES[side], pair, run.eventsPerSecond),
    });
    suite.comparisons.push(
      buildComparison({
        id: 'throughput',
        title: 'Publish throughput, acks all',
        method,
        sides: throughputSides.map((id) => ({ id, label: SIDES[id] })),
        runs,
        ours: 'kafka',
        raw: 'kafkajs',
      }),
    );
    printComparison(suite.comparisons.at(-1)!);
  }

  suite.comparisons.push(
    await compareObjectPublishing({
      pairs,
      ours: { id: 'kafka', label: SIDES.kafka },
      raw: { id: 'kafkajs', label: SIDES.kafkajs },
      title: 'Publish throughput from event objects, acks all',
      method,
      run: (side) => nodeRun(side as NodeSide, 'objects'),
    }),
  );

  suite.comparisons.push(
    ...(await compareAtFixedRates({
      settings: rate,
      pairs,
      ours: { id: 'kafka', label: SIDES.kafka },
      raw: { id: 'kafkajs', label: SIDES.kafkajs },
      consumer: 'a kafkajs consumer',
      run: (side, perSecond, count, rateWarmup) =>
        runInChild<RunMeasurement>(script, {
          mode: 'end-to-end',
          side: side as NodeSide,
          brokers,
          events: count,
          warmup: rateWarmup,
          window,
          bodies: 'text',
          rate: perSecond,
        } satisfies RunTask),
    })),
  );
  writeSuiteResult(out, suite);
  console.log(`\nresults written to ${out}`);
}

const task = childTask<RunTask>();
if (task) await reportToParent(() => runTask(task));
else await main();
