/**
 * Consumer throughput with acknowledgements: our EventConsumer (parse, validate,
 * per-conversation lanes, sink, ack) against the raw client consuming the same messages with
 * the same prefetch and per-message acks (amqplib `consume` + `ack`; kafkajs `eachMessage`),
 * each body written to stdout, which is /dev/null in the measured processes (as with
 * `broker consume > file`). Every run is its own process; the sides alternate for `--pairs`
 * pairs, each run after a warm-up. The PostgreSQL sink runs (200 interleaved conversations from
 * RabbitMQ and from Kafka, and one conversation replayed from Kafka) are compared with the raw
 * `pg` client storing the same rows from a file, no broker, in the same tables and indexes:
 * `COPY FROM STDIN` (the ceiling) and a multi-row insert.
 *
 * Each run warms up on 20 000 messages and measures 200 000 (the closed-loop method).
 *
 *   pnpm --filter @broker/consumers bench [--quick] [--messages N] [--warmup N]
 *        [--postgres-messages N] [--pairs N] [--prefetch N] [--no-postgres] [--series a,b] [--out file.json]
 *
 * Needs `pnpm services:up` (RabbitMQ, Kafka) and PostgreSQL at DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test) unless --no-postgres.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchEvent,
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
import { type RawPostgresRun, storeRaw } from './raw-postgres-runs';

type Side = 'ours' | 'raw' | 'copy' | 'insert';

type RunTask =
  | { run: ConsumeRun; side: 'ours' | 'raw'; sink: 'stdout' | 'postgres'; databaseUrl: string }
  | { side: 'copy' | 'insert'; store: RawPostgresRun };

/** Rows per transaction of the raw `pg` anchors: the sink's default batch. */
const RAW_BATCH = 1000;
/** Events in flight with the PostgreSQL sink's defaults (2 transactions of 1,000). */
const POSTGRES_WINDOW = 2000;

interface Series {
  id: string;
  title: string;
  broker: 'rabbitmq' | 'kafka';
  sink: 'stdout' | 'postgres';
  /** The same bodies for the raw `pg` anchors (PostgreSQL series). */
  file?: string;
  /** Its own topic and bodies (the replay); default the shared ones. */
  topic?: string;
  corpus?: BenchEvent[];
}

const here = dirname(fileURLToPath(import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function runTask(task: RunTask): Promise<RunMeasurement> {
  if ('store' in task) return storeRaw(task.store);
  return task.side === 'raw' ? consumeRaw(task.run) : consumeOurs(task.run, task.sink, task.databaseUrl);
}

/** The bodies, one per line, for the raw `pg` anchors to read. */
function bodiesFile(events: readonly BenchEvent[]): string {
  const file = join(tmpdir(), `bench-bodies-${randomUUID()}.jsonl`);
  writeFileSync(file, events.map((e) => e.body).join('\n'));
  return file;
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
    series: { type: 'string' },
  });
  const only = args.series?.split(',').map((id) => id.trim());
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
  // Storing is slower than stdout: fewer messages take as long and show the same.
  const postgresMessages = positiveInteger(
    'postgres-messages',
    args['postgres-messages'],
    Math.ceil(messages / 4),
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
  const replay = rasaCorpus(warmup + postgresMessages, 1);
  const topic = await fillTopic(brokers, events);
  const replayTopic = withPostgres ? await fillTopic(brokers, replay) : undefined;
  const files = withPostgres ? { interleaved: bodiesFile(events), replay: bodiesFile(replay) } : undefined;
  const series: Series[] = [
    {
      id: 'rabbitmq-stdout',
      title: 'RabbitMQ: consuming into the stdout sink',
      broker: 'rabbitmq',
      sink: 'stdout',
    },
    { id: 'kafka-stdout', title: 'Kafka: consuming into the stdout sink', broker: 'kafka', sink: 'stdout' },
  ];
  if (files && replayTopic) {
    series.push(
      {
        id: 'rabbitmq-postgres',
        title: 'RabbitMQ: consuming into the PostgreSQL sink',
        broker: 'rabbitmq',
        sink: 'postgres',
        file: files.interleaved,
      },
      {
        id: 'kafka-postgres',
        title: 'Kafka: consuming into the PostgreSQL sink',
        broker: 'kafka',
        sink: 'postgres',
        file: files.interleaved,
      },
      {
        id: 'kafka-postgres-replay',
        title: 'Kafka: one conversation replayed into the PostgreSQL sink',
        broker: 'kafka',
        sink: 'postgres',
        file: files.replay,
        topic: replayTopic,
        corpus: replay,
      },
    );
  }
  const unknown = only?.filter((id) => !series.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`--series: no series ${unknown.join(', ')} (${series.map((s) => s.id).join(', ')})`);
  try {
    for (const { id, title, broker, sink, file, ...from } of series.filter(
      (s) => !only || only.includes(s.id),
    )) {
      const count = sink === 'postgres' ? postgresMessages : messages;
      const corpus = from.corpus ?? events;
      const labels: Record<Side, string> = {
        ours: `EventConsumer, ${sink === 'stdout' ? 'stdout sink (stdout to /dev/null)' : 'PostgreSQL sink'}`,
        raw: `raw ${broker === 'rabbitmq' ? 'amqplib' : 'kafkajs'} (stdout to /dev/null)`,
        copy: 'raw pg: COPY FROM STDIN, from a file (no broker)',
        insert: 'raw pg: multi-row INSERT (unnest), from a file (no broker)',
      };
      const sides: Side[] = file ? ['ours', 'copy', 'insert'] : ['ours', 'raw'];
      const runs = await runAlternatingPairs<RunMeasurement, Side>({
        sides,
        pairs,
        run: async (side) => {
          if (side === 'copy' || side === 'insert') {
            const store = {
              file: file!,
              databaseUrl: DATABASE_URL,
              method: side,
              warmup,
              messages: count,
              batchSize: RAW_BATCH,
            };
            return runInChild<RunMeasurement>(script, { side, store } satisfies RunTask, { stdout: 'null' });
          }
          let run: ConsumeRun;
          const exchange = `bench-x-${randomUUID()}`;
          if (broker === 'rabbitmq') {
            const queue = `bench-${randomUUID()}`;
            await fillQueue(rabbit.url, queue, corpus.slice(0, warmup + count));
            run = { target: { broker, url: rabbit.url, queue, exchange }, warmup, messages: count, prefetch };
          } else {
            run = {
              target: { broker, brokers, topic: from.topic ?? topic },
              warmup,
              messages: count,
              prefetch,
            };
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
          title,
          method:
            sink === 'stdout'
              ? `${count} messages per run after ${warmup} warm-up, prefetch ${prefetch}, an ack per message after the sink; ` +
                'timed from the first message after the warm-up to the last one handled.'
              : `${count} messages per run after ${warmup} warm-up, the sink's window (${POSTGRES_WINDOW} in flight), an ack per message after its commit; ` +
                `the raw pg anchors store the same rows from a file in the same tables and indexes, ${RAW_BATCH} per transaction, one at a time. The ratio is ours / COPY.`,
          sides: sides.map((side) => ({ id: side, label: labels[side] })),
          runs,
          ours: 'ours',
          raw: file ? 'copy' : 'raw',
        }),
      );
      printComparison(suite.comparisons.at(-1)!);
    }
  } finally {
    await deleteTopic(brokers, topic);
    if (replayTopic) await deleteTopic(brokers, replayTopic);
    for (const path of Object.values(files ?? {})) rmSync(path, { force: true });
  }
  const stdoutRate = suite.comparisons.find((c) => c.id === 'rabbitmq-stdout')?.sides.ours?.summary;
  const postgresRate = suite.comparisons.find((c) => c.id === 'rabbitmq-postgres')?.sides.ours?.summary;
  if (stdoutRate && postgresRate) {
    // The goal compares the two sinks measured in the same run (the same load on the machine).
    suite.findings = {
      postgresToStdout: postgresRate.eventsPerSecond.median / stdoutRate.eventsPerSecond.median,
    };
  }
  writeSuiteResult(out, suite);
  console.log(`\nresults written to ${out}`);
}

const task = childTask<RunTask>();
if (task) await reportToParent(() => runTask(task));
else await main();
