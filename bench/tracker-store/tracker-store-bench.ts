/**
 * Tracker-store path: a simulated bot saving trackers for 1,000 concurrent conversations
 * (InMemoryTrackerStore), without a broker, with PikaEventBroker (RabbitMQ) and with
 * KafkaEventBroker. The difference in `save()` time is what streaming adds to the bot's
 * request path. Every run is its own process; the three sides alternate for `--pairs` pairs.
 *
 *   pnpm --filter broker-bench exec tsx tracker-store/tracker-store-bench.ts [--quick]
 *        [--conversations N] [--seconds N] [--interval-ms N] [--pairs N] [--out file.json]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EventBroker, InMemoryTrackerStore } from '@broker/core';
import { KafkaEventBroker } from '@broker/kafka';
import { PikaEventBroker } from '@broker/pika';
import {
  beginSuite,
  benchOptions,
  buildComparison,
  childTask,
  LatencyRecorder,
  nodeMeasurement,
  positiveInteger,
  printComparison,
  printRun,
  type RunMeasurement,
  reportToParent,
  runAlternatingPairs,
  runInChild,
  startResourceMonitor,
  writeSuiteResult,
} from 'broker-bench-harness';
import { requireKafka, requireRabbitMq } from 'broker-test-kit';
import { withRunDestination } from './run-destination';
import { runSimulatedBot, takeTurn } from './simulated-bot';

type Side = 'none' | 'pika' | 'kafka';

interface RunTask {
  side: Side;
  conversations: number;
  durationMs: number;
  meanTurnIntervalMs: number;
  rabbitUrl: string;
  kafkaBrokers: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const SIDES = {
  none: 'no broker',
  pika: 'PikaEventBroker (RabbitMQ)',
  kafka: 'KafkaEventBroker (Kafka)',
} as const;

function runTask(task: RunTask): Promise<RunMeasurement> {
  return withRunDestination(task.side, task, async (destination) => {
    const broker: EventBroker | null =
      destination.kind === 'pika'
        ? new PikaEventBroker({
            host: task.rabbitUrl,
            queues: [destination.queue],
            exchangeName: destination.exchange,
          })
        : destination.kind === 'kafka'
          ? new KafkaEventBroker({
              url: task.kafkaBrokers,
              topic: destination.topic,
              partitionBySender: true,
            })
          : null;
    if (broker) await (broker as PikaEventBroker | KafkaEventBroker).connect();
    const store = new InMemoryTrackerStore({ eventBroker: broker });
    // Warm-up: every conversation exists and has had a turn.
    const warmup = new LatencyRecorder();
    for (let id = 0; id < task.conversations; id++) await takeTurn(store, `tracker-bench-${id}`, 0, warmup);
    await broker?.flush(60_000);

    const saveTime = new LatencyRecorder();
    const monitor = startResourceMonitor();
    const { turns } = await runSimulatedBot(store, task, saveTime);
    const usage = monitor.stop();
    if (broker) {
      await broker.flush(120_000);
      const report = await broker.close();
      if (report.stats.confirmed !== report.stats.published) {
        throw new Error(
          `${SIDES[task.side]} confirmed ${report.stats.confirmed} of ${report.stats.published} events`,
        );
      }
    }
    return nodeMeasurement(
      turns,
      task.durationMs / 1000,
      usage,
      { save: saveTime.percentiles() },
      { conversations: task.conversations, eventsPerTurn: 4 },
    );
  });
}

async function main(): Promise<void> {
  const args = benchOptions({
    conversations: { type: 'string' },
    seconds: { type: 'string' },
    'interval-ms': { type: 'string' },
  });
  const quick = args.quick === true;
  const conversations = positiveInteger('conversations', args.conversations, 1000);
  const seconds = positiveInteger('seconds', args.seconds, quick ? 2 : 10);
  const meanTurnIntervalMs = positiveInteger('interval-ms', args['interval-ms'], 2000);
  const pairs = positiveInteger('pairs', args.pairs, quick ? 1 : 5);
  const out = resolve(args.out ?? join(here, '..', '.results', 'tracker-store.json'));
  const rabbitUrl = (await requireRabbitMq('main')).url;
  const kafkaBrokers = [(await requireKafka('single')).plaintext];

  const suite = beginSuite('tracker-store', 'Tracker store: what streaming adds to save()', quick);
  suite.settings = { conversations, seconds, meanTurnIntervalMs, pairs, eventsPerTurn: 4 };
  console.log(
    `Tracker store: ${conversations} conversations, a turn every ~${meanTurnIntervalMs} ms each ` +
      `(~${Math.round((conversations * 4 * 1000) / meanTurnIntervalMs)} events/s), ${seconds} s x ${pairs} pair(s)`,
  );
  const script = fileURLToPath(import.meta.url);
  const runs = await runAlternatingPairs<RunMeasurement, Side>({
    sides: ['none', 'pika', 'kafka'],
    pairs,
    run: (side) =>
      runInChild<RunMeasurement>(script, {
        side,
        conversations,
        durationMs: seconds * 1000,
        meanTurnIntervalMs,
        rabbitUrl,
        kafkaBrokers,
      } satisfies RunTask),
    onRun: (side, pair, run) =>
      printRun(
        `${SIDES[side]}, save() p99 ${run.latency.save?.p99.toFixed(3)} ms,`,
        pair,
        run.eventsPerSecond,
      ),
  });
  suite.comparisons.push(
    buildComparison({
      id: 'save',
      title: `InMemoryTrackerStore.save() with ${conversations} concurrent conversations`,
      method:
        `${conversations} conversations, each taking a turn (4 events, then save()) every ${meanTurnIntervalMs / 2}-` +
        `${(meanTurnIntervalMs * 3) / 2} ms for ${seconds} s; events/s here are turns (saves) per second. ` +
        'The brokers publish to a fresh queue / topic and must confirm every event.',
      sides: (['none', 'pika', 'kafka'] as const).map((id) => ({ id, label: SIDES[id] })),
      runs,
    }),
  );
  printComparison(suite.comparisons[0]!);
  writeSuiteResult(out, suite);
  console.log(`\nresults written to ${out}`);
}

const task = childTask<RunTask>();
if (task) await reportToParent(() => runTask(task));
else await main();
