/**
 * RabbitMQ publish benchmark: PikaEventBroker against raw amqplib on a confirm channel (same
 * confirm window, persistent + mandatory, same ~400-byte Rasa bodies, a fresh durable queue per
 * run) and against Debian's python3-pika (Rasa style: one confirm at a time; and pipelined with
 * the same window on pika's SelectConnection). Every run is its own process; sides alternate
 * A/B for `--pairs` pairs, each after a warm-up. Then end-to-end latency at fixed rates, from
 * each event's scheduled send time to its arrival at a consumer in the same process. A second
 * throughput comparison publishes event objects, as a tracker store does, against raw amqplib
 * sending `JSON.stringify` of the same objects (`--objects-only` runs just that one).
 *
 *   pnpm --filter @broker/pika bench [--quick] [--events N] [--warmup N] [--pairs N] [--window N]
 *        [--python-events N] [--python-blocking-events N] [--no-python] [--objects-only]
 *        [--rates 100,1000,5000] [--rate-seconds N]
 *        [--url amqp://...] [--out file.json]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
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
import { loadServices, requireRabbitMq } from 'broker-test-kit';
import { consumeArrivals, serverVersion, withBenchTopology } from './bench-topology';
import { AmqplibSide, PikaSide } from './publisher-sides';

type NodeSide = 'pika' | 'amqplib';

interface RunTask {
  mode: 'throughput' | 'end-to-end';
  side: NodeSide;
  url: string;
  events: number;
  warmup: number;
  window: number;
  bodies: BodyForm;
  rate?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const pythonDir = resolve(here, '../../../bench/python');
const SIDES = {
  pika: 'PikaEventBroker',
  amqplib: 'raw amqplib (confirm channel)',
  'python-pika-pipelined': 'Python pika, pipelined (SelectConnection)',
  'python-pika-blocking': 'Python pika, Rasa style (one confirm at a time)',
} as const;
const PYTHON_SCRIPTS = {
  'python-pika-pipelined': 'pika_pipelined_publisher.py',
  'python-pika-blocking': 'pika_blocking_publisher.py',
} as const;

async function runTask(task: RunTask): Promise<RunMeasurement> {
  const events = rasaCorpus(task.warmup + task.events, 100, task.bodies === 'objects');
  return withBenchTopology(task.url, (topology, admin) => {
    const side =
      task.side === 'pika'
        ? new PikaSide(task.url, topology, task.window, Math.max(100_000, task.window * 4), task.bodies)
        : new AmqplibSide(task.url, topology, task.window, task.bodies);
    if (task.mode === 'throughput') return measureThroughput(side, events, task);
    return measureEndToEnd(side, events, {
      rate: task.rate!,
      warmup: task.warmup,
      subscribe: (onArrival) => consumeArrivals(admin, topology.queue, onArrival),
    });
  });
}

async function main(): Promise<void> {
  const args = benchOptions({
    events: { type: 'string' },
    warmup: { type: 'string' },
    window: { type: 'string' },
    'python-events': { type: 'string' },
    'python-blocking-events': { type: 'string' },
    'no-python': { type: 'boolean', default: false },
    'objects-only': { type: 'boolean', default: false },
    rates: { type: 'string' },
    'rate-seconds': { type: 'string' },
    url: { type: 'string' },
  });
  const quick = args.quick === true;
  const { measured: events, warmup } = closedLoopLength(
    'events',
    { count: args.events, warmup: args.warmup },
    quick,
  );
  const pairs = positiveInteger('pairs', args.pairs, quick ? 1 : 5);
  const window = positiveInteger('window', args.window, 1000);
  const pythonEvents = positiveInteger('python-events', args['python-events'], quick ? 500 : 10_000);
  const blockingEvents = positiveInteger(
    'python-blocking-events',
    args['python-blocking-events'],
    quick ? 200 : 3000,
  );
  const url = args.url ?? process.env.RABBITMQ_URL ?? (await requireRabbitMq('main')).url;
  const out = resolve(args.out ?? join(here, '..', '.bench', 'publish-bench.json'));
  const objectsOnly = args['objects-only'] === true;
  const withPython = args['no-python'] !== true && !objectsOnly;
  // --objects-only: no fixed-rate runs either.
  const rate = { ...rateSettings(args, quick), ...(objectsOnly ? { rates: [] } : {}) };

  const suite = beginSuite(
    'rabbitmq-publish',
    'RabbitMQ: PikaEventBroker vs raw amqplib vs Python pika',
    quick,
  );
  const admin = await connect(url);
  suite.versions.rabbitmq = serverVersion(admin);
  await admin.close();
  suite.versions.amqplib = installedVersion('amqplib', resolve(here, '..'));
  const python = pythonExecutable(loadServices().python.executable);
  if (withPython) {
    const versions = pythonVersions(python);
    suite.versions.python = versions.python;
    suite.versions.pika = versions.pika;
  }
  const eventBytes = meanBodyBytes(rasaCorpus(warmup + events));
  suite.settings = {
    events,
    warmup,
    pairs,
    window,
    eventBytes,
    pythonEvents,
    blockingEvents,
    rate,
    withPython,
  };
  console.log(
    `RabbitMQ publish: ${events} events of ~${eventBytes} B x ${pairs} pair(s) after ${warmup} warm-up, window ${window}, ` +
      `persistent, durable queue; ${suite.versions.rabbitmq}, amqplib ${suite.versions.amqplib}, Node ${process.version}`,
  );

  const script = fileURLToPath(import.meta.url);
  const nodeRun = (side: NodeSide, bodies: BodyForm) =>
    runInChild<RunMeasurement>(script, {
      mode: 'throughput',
      side,
      url,
      events,
      warmup,
      window,
      bodies,
    } satisfies RunTask);
  if (!objectsOnly) {
    const throughputSides = withPython
      ? (['pika', 'amqplib', 'python-pika-pipelined', 'python-pika-blocking'] as const)
      : (['pika', 'amqplib'] as const);
    const runs = await runAlternatingPairs<RunMeasurement, keyof typeof SIDES>({
      sides: throughputSides,
      pairs,
      run: async (side) => {
        if (side === 'pika' || side === 'amqplib') return nodeRun(side, 'text');
        // One confirm at a time runs at a few hundred events/s: fewer events, still thousands of samples.
        const count = side === 'python-pika-blocking' ? blockingEvents : pythonEvents;
        const pythonWarmup = Math.min(warmup, Math.ceil(count / 10));
        const corpus = rasaCorpus(pythonWarmup + count);
        return withBenchTopology(url, (topology) =>
          runPythonAnchor(python, join(pythonDir, PYTHON_SCRIPTS[side]), {
            url,
            exchange: topology.exchange,
            bodies: corpus.map((event) => event.body),
            warmup: pythonWarmup,
            window,
          }),
        );
      },
      onRun: (side, pair, run) => printRun(SIDES[side], pair, run.eventsPerSecond),
    });
    suite.comparisons.push(
      buildComparison({
        id: 'throughput',
        title: 'Publish throughput, persistent messages with publisher confirms',
        method:
          `Closed loop: at most ${window} events unconfirmed; ${events} events per Node run, ${pythonEvents} per ` +
          `pipelined Python run and ${blockingEvents} per Rasa-style Python run, after a warm-up; counted when ` +
          'RabbitMQ confirmed them. ' +
          'Latency is publish to confirm.',
        sides: throughputSides.map((id) => ({ id, label: SIDES[id] })),
        runs,
        ours: 'pika',
        raw: 'amqplib',
      }),
    );
    printComparison(suite.comparisons.at(-1)!);
  }

  suite.comparisons.push(
    await compareObjectPublishing({
      pairs,
      ours: { id: 'pika', label: SIDES.pika },
      raw: { id: 'amqplib', label: SIDES.amqplib },
      title: 'Publish throughput from event objects, persistent messages with publisher confirms',
      method:
        `Closed loop: at most ${window} events unconfirmed; ${events} events per run after a warm-up; counted ` +
        'when RabbitMQ confirmed them. Latency is publish to confirm.',
      run: (side) => nodeRun(side as NodeSide, 'objects'),
    }),
  );

  suite.comparisons.push(
    ...(await compareAtFixedRates({
      settings: rate,
      pairs,
      ours: { id: 'pika', label: SIDES.pika },
      raw: { id: 'amqplib', label: SIDES.amqplib },
      consumer: 'an amqplib consumer',
      run: (side, perSecond, count, rateWarmup) =>
        runInChild<RunMeasurement>(script, {
          mode: 'end-to-end',
          side: side as NodeSide,
          url,
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
