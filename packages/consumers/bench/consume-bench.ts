/**
 * Consumer throughput with acknowledgements: our EventConsumer (parse, validate,
 * per-conversation lanes, sink, ack) against the raw client consuming the same messages with
 * the same prefetch and per-message acks (amqplib `consume` + `ack`; kafkajs `eachMessage`),
 * each body written to stdout, which is /dev/null in the measured processes (as with
 * `broker consume > file`). Every run is its own process; ours and raw alternate for
 * `--pairs` pairs, each run after a warm-up. The PostgreSQL sink runs are shown next to the
 * raw client writing to /dev/null: they measure what storing costs, not our overhead.
 *
 * Each run warms up on 20 000 messages and measures 200 000 (the closed-loop method).
 *
 *   pnpm --filter @broker/consumers bench [--quick] [--messages N] [--warmup N]
 *        [--postgres-messages N] [--pairs N] [--prefetch N] [--no-postgres] [--out file.json]
 *
 * Needs `pnpm services:up` (RabbitMQ, Kafka) and PostgreSQL at DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test) unless --no-postgres.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  beginSuite,
  benchOptions,
  buildComparison,
  childTask,
  closedLoopLength,
  installedVersion,
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
import { loadServices, requireKafka, requireRabbitMq } from 'broker-test-kit';
import pg from 'pg';
import { deleteQueue, deleteTopic, fillQueue, fillTopic } from './bench-fill';
import { type ConsumeRun, consumeOurs, consumeRaw } from './consumer-runs';

type Side = 'ours' | 'raw';

interface RunTask {
  run: ConsumeRun;
  side: Side;
  sink: 'stdout' | 'postgres';
  databaseUrl: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function runTask(task: RunTask): Promise<RunMeasurement> {
  return task.side === 'raw' ? consumeRaw(task.run) : consumeOurs(task.run, task.sink, task.databaseUrl);
}

async function checkPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${DATABASE_URL.replace(/\/\/[^@/]*@/, '//')} (${(error as Error).message}). ` +
        'Start it or set DATABASE_URL, or run with --no-postgres.',
    );
  }
}

async function main(): Promise<void> {
  const args = benchOptions({
    messages: { type: 'string' },
    warmup: { type: 'string' },
    prefetch: { type: 'string' },
    'postgres-messages': { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
  });
  const quick = args.quick === true;
  const { measured: messages, warmup } = closedLoopLength(
    'messages',
    { count: args.messages, warmup: args.warmup },
    quick,
  );
  const pairs = positiveInteger('pairs', args.pairs, quick ? 1 : 5);
  const prefetch = positiveInteger('prefetch', args.prefetch ?? process.env.BENCH_PREFETCH, 64);
  const withPostgres = args['no-postgres'] !== true;
  const out = resolve(args.out ?? join(here, '.results', 'consume-bench.json'));
  // Storing is some twenty times slower than stdout: fewer messages take as long and show the same.
  const postgresMessages = positiveInteger(
    'postgres-messages',
    args['postgres-messages'],
    Math.ceil(messages / 10),
  );

  const rabbit = await requireRabbitMq('main');
  const kafka = await requireKafka('single');
  if (withPostgres) await checkPostgres();
  const brokers = [kafka.plaintext];
  const events = rasaCorpus(warmup + messages, 200);

  const suite = beginSuite('consumers', 'Consumers: EventConsumer vs the raw client', quick);
  suite.versions.amqplib = installedVersion('amqplib', resolve(here, '..'));
  suite.versions.kafkajs = installedVersion('kafkajs', resolve(here, '..'));
  suite.versions.kafka = loadServices().kafka.single.version;
  suite.settings = { messages, postgresMessages, warmup, pairs, prefetch, conversations: 200, withPostgres };
  console.log(
    `Consumers: ${messages} messages x ${pairs} pair(s) after ${warmup} warm-up, prefetch ${prefetch}, ` +
      `200 conversations; Node ${process.version}`,
  );

  const script = fileURLToPath(import.meta.url);
  const topic = await fillTopic(brokers, events);
  const series: { id: string; broker: 'rabbitmq' | 'kafka'; sink: RunTask['sink'] }[] = [
    { id: 'rabbitmq-stdout', broker: 'rabbitmq', sink: 'stdout' },
    { id: 'kafka-stdout', broker: 'kafka', sink: 'stdout' },
  ];
  if (withPostgres) {
    series.push(
      { id: 'rabbitmq-postgres', broker: 'rabbitmq', sink: 'postgres' },
      { id: 'kafka-postgres', broker: 'kafka', sink: 'postgres' },
    );
  }
  try {
    for (const { id, broker, sink } of series) {
      const labels = {
        ours: `EventConsumer, ${sink === 'stdout' ? 'stdout sink (stdout to /dev/null)' : 'PostgreSQL sink'}`,
        raw: `raw ${broker === 'rabbitmq' ? 'amqplib' : 'kafkajs'} (stdout to /dev/null)`,
      };
      const runs = await runAlternatingPairs<RunMeasurement, Side>({
        sides: ['ours', 'raw'],
        pairs,
        run: async (side) => {
          const count = sink === 'postgres' ? postgresMessages : messages;
          let run: ConsumeRun;
          const exchange = `bench-x-${randomUUID()}`;
          if (broker === 'rabbitmq') {
            const queue = `bench-${randomUUID()}`;
            await fillQueue(rabbit.url, queue, events.slice(0, warmup + count));
            run = { target: { broker, url: rabbit.url, queue, exchange }, warmup, messages: count, prefetch };
          } else {
            run = { target: { broker, brokers, topic }, warmup, messages: count, prefetch };
          }
          try {
            return await runInChild<RunMeasurement>(
              script,
              { run, side, sink, databaseUrl: DATABASE_URL } satisfies RunTask,
              { stdout: 'null' },
            );
          } finally {
            if (run.target.broker === 'rabbitmq') await deleteQueue(rabbit.url, run.target.queue, exchange);
          }
        },
        onRun: (side, pair, run) => printRun(labels[side], pair, run.eventsPerSecond),
      });
      suite.comparisons.push(
        buildComparison({
          id,
          title: `${broker === 'rabbitmq' ? 'RabbitMQ' : 'Kafka'}: consuming into the ${sink === 'stdout' ? 'stdout' : 'PostgreSQL'} sink`,
          method:
            `${sink === 'postgres' ? postgresMessages : messages} messages per run after ${warmup} warm-up, prefetch ${prefetch}, an ack per message after the sink; ` +
            `timed from the first message after the warm-up to the last one handled.` +
            (sink === 'postgres'
              ? ' The raw side writes to /dev/null: the ratio is the cost of storing.'
              : ''),
          sides: [
            { id: 'ours', label: labels.ours },
            { id: 'raw', label: labels.raw },
          ],
          runs,
          ours: 'ours',
          raw: 'raw',
        }),
      );
      printComparison(suite.comparisons.at(-1)!);
    }
  } finally {
    await deleteTopic(brokers, topic);
  }
  writeSuiteResult(out, suite);
  console.log(`\nresults written to ${out}`);
}

const task = childTask<RunTask>();
if (task) await reportToParent(() => runTask(task));
else await main();
