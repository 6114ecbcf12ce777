/**
 * Consumer throughput with acknowledgements: our EventConsumer (parse, validate, per-conversation
 * lanes, sink, ack) against the raw client consuming the same messages with the same prefetch
 * and per-message acks, in the same run, alternating, as a ratio (performance-anchors §6).
 *
 *   pnpm --filter @broker/consumers bench            # 5 rounds of 20 000 messages
 *   pnpm --filter @broker/consumers bench -- --quick # 3 rounds of 4 000
 *
 * Needs `pnpm services:up` (RabbitMQ, Kafka) and PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test). Writes bench/results/consume-bench.json.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toEndpointConfig } from '@broker/core';
import amqplib from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { loadServices, requireKafka, requireRabbitMq } from '../../../services/endpoints.mjs';
import { EventConsumer, openMessageSource } from '../src/consumer/event-consumer';
import type { EventSink } from '../src/sinks/event-sink';
import { PostgresSink } from '../src/sinks/postgres/postgres-sink';
import { StdoutSink } from '../src/sinks/stdout-sink';

const quick = process.argv.includes('--quick');
const MESSAGES = quick ? 4000 : 20_000;
const ROUNDS = quick ? 3 : 5;
const PREFETCH = Number(process.env.BENCH_PREFETCH ?? 64);
const SENDERS = 200;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const here = dirname(fileURLToPath(import.meta.url));

/** ~450-byte Rasa 3.x bodies (user, bot, action, slot) of 200 interleaved conversations. */
function corpus(): Buffer[] {
  const metadata = { model_id: '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21', assistant_id: 'placeholder_default' };
  return Array.from({ length: MESSAGES }, (_, i) => {
    const sender = `conversation-${i % SENDERS}`;
    const timestamp = 1716801234 + i / 1000;
    const kind = i % 4;
    const event =
      kind === 0
        ? {
            event: 'user',
            timestamp,
            metadata,
            text: `I want to fly to Berlin ${i}`,
            parse_data: {
              intent: { name: 'book_flight', confidence: 0.98 },
              entities: [],
              text: 'I want to fly',
              message_id: randomUUID().replaceAll('-', ''),
            },
            input_channel: 'rest',
            message_id: null,
          }
        : kind === 1
          ? {
              event: 'action',
              timestamp,
              metadata,
              name: 'utter_ask_date',
              policy: 'RulePolicy',
              confidence: 1.0,
              action_text: null,
              hide_rule_turn: true,
            }
          : kind === 2
            ? {
                event: 'bot',
                timestamp,
                metadata: { utter_action: 'utter_ask_date', ...metadata },
                text: 'When do you want to travel?',
                data: {
                  elements: null,
                  quick_replies: null,
                  buttons: null,
                  attachment: null,
                  image: null,
                  custom: null,
                },
              }
            : { event: 'slot', timestamp, metadata, name: 'city', value: 'Berlin' };
    return Buffer.from(JSON.stringify({ sender_id: sender, ...event }));
  });
}

const devNull = () => createWriteStream('/dev/null');

interface Measurement {
  messagesPerSecond: number;
  ms: number;
}

function measure(startedAt: number, endedAt: number): Measurement {
  const ms = endedAt - startedAt;
  return { ms: Math.round(ms), messagesPerSecond: Math.round((MESSAGES / ms) * 1000) };
}

// ---------------------------------------------------------------- RabbitMQ

async function fillQueue(url: string, queue: string, bodies: Buffer[]): Promise<void> {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (const body of bodies) {
    if (!channel.sendToQueue(queue, body, { persistent: true }))
      await new Promise((r) => channel.once('drain', r));
  }
  await channel.waitForConfirms();
  await connection.close();
}

/** The baseline: amqplib, prefetch 64, each body written to /dev/null, then acked. */
async function rawAmqp(url: string, queue: string): Promise<Measurement> {
  const connection = await amqplib.connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  const out = devNull();
  let count = 0;
  let startedAt = 0;
  const ended = await new Promise<number>((resolve) => {
    void channel.consume(queue, (message) => {
      if (!message) return;
      if (count === 0) startedAt = performance.now();
      out.write(message.content);
      out.write('\n');
      channel.ack(message);
      if (++count === MESSAGES) resolve(performance.now());
    });
  });
  await connection.close();
  out.end();
  return measure(startedAt, ended);
}

// ---------------------------------------------------------------- Kafka

async function fillTopic(brokers: string[], topic: string, bodies: Buffer[]): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < bodies.length; i += 1000) {
    await producer.send({
      topic,
      messages: bodies
        .slice(i, i + 1000)
        .map((value) => ({ key: JSON.parse(value.toString()).sender_id, value })),
    });
  }
  await producer.disconnect();
}

/** The baseline: kafkajs eachMessage, each value written to /dev/null, offsets committed by kafkajs. */
async function rawKafka(brokers: string[], topic: string): Promise<Measurement> {
  const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out = devNull();
  let count = 0;
  let startedAt = 0;
  const ended = await new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        if (count === 0) startedAt = performance.now();
        out.write(message.value ?? Buffer.alloc(0));
        out.write('\n');
        if (++count === MESSAGES) resolve(performance.now());
      },
    });
  });
  await consumer.disconnect();
  out.end();
  return measure(startedAt, ended);
}

// ---------------------------------------------------------------- ours

async function ours(
  section: Record<string, unknown>,
  sink: EventSink,
  groupId?: string,
): Promise<Measurement> {
  const source = await openMessageSource(
    toEndpointConfig(section),
    groupId ? { groupId, fromBeginning: true } : {},
  );
  let startedAt = 0;
  let ended = 0;
  let written = 0;
  // Timed from the first event to the last one stored (its ack follows at once), as the raw side.
  const timed: EventSink = {
    name: sink.name,
    close: () => sink.close(),
    write: async (event) => {
      if (written === 0 && startedAt === 0) startedAt = performance.now();
      await sink.write(event);
      if (++written === MESSAGES) ended = performance.now();
    },
  };
  const consumer = new EventConsumer(
    source,
    { sink: timed, concurrency: PREFETCH, maxEvents: MESSAGES },
    true,
  );
  const report = await consumer.run();
  await sink.close();
  if (report.stats.handled !== MESSAGES) throw new Error(`handled ${report.stats.handled} of ${MESSAGES}`);
  return measure(startedAt, ended);
}

// ---------------------------------------------------------------- run

interface Series {
  name: string;
  raw: Measurement[];
  ours: Measurement[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summarise(series: Series) {
  const ratios = series.ours.map(
    (m, i) => m.messagesPerSecond / (series.raw[i]?.messagesPerSecond ?? Number.NaN),
  );
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    name: series.name,
    rawMessagesPerSecond: median(series.raw.map((m) => m.messagesPerSecond)),
    oursMessagesPerSecond: median(series.ours.map((m) => m.messagesPerSecond)),
    ratioMedian: round(median(ratios)),
    ratioMin: round(Math.min(...ratios)),
    ratioMax: round(Math.max(...ratios)),
    runs: series,
  };
}

async function main(): Promise<void> {
  const rabbit = await requireRabbitMq('main');
  const kafka = await requireKafka('single');
  const brokers = [kafka.plaintext];
  const bodies = corpus();
  const results: Series[] = [
    { name: 'rabbitmq stdout sink', raw: [], ours: [] },
    { name: 'rabbitmq postgres sink', raw: [], ours: [] },
    { name: 'kafka stdout sink', raw: [], ours: [] },
    { name: 'kafka postgres sink', raw: [], ours: [] },
  ];
  const queue = `bench-${randomUUID().slice(0, 8)}`;
  const exchange = `bench-x-${randomUUID().slice(0, 8)}`;
  const pikaSection = { type: 'pika', url: rabbit.url, queues: [queue], exchange_name: exchange };
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  const kafkaSection = { type: 'kafka', url: brokers.join(','), topic, security_protocol: 'PLAINTEXT' };
  const schemas: string[] = [];
  const postgresSink = async () => {
    const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    schemas.push(schema);
    return PostgresSink.open({ databaseUrl: DATABASE_URL, schema });
  };
  const stdoutSink = () => new StdoutSink({ stream: devNull(), format: 'json' });
  await fillTopic(brokers, topic, bodies);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which side goes first, so drift in the machine's load hits both.
      const rawFirst = round % 2 === 1;
      const rawRabbit = async () => {
        await fillQueue(rabbit.url, queue, bodies);
        return rawAmqp(rabbit.url, queue);
      };
      const oursRabbit = async (sink: () => EventSink | Promise<EventSink>) => {
        await fillQueue(rabbit.url, queue, bodies);
        return ours(pikaSection, await sink());
      };
      const oursKafka = async (sink: () => EventSink | Promise<EventSink>) =>
        ours(kafkaSection, await sink(), `bench-ours-${randomUUID()}`);
      const pairs: [Series, () => Promise<Measurement>, () => Promise<Measurement>][] = [
        [results[0] as Series, rawRabbit, () => oursRabbit(stdoutSink)],
        [results[1] as Series, rawRabbit, () => oursRabbit(postgresSink)],
        [results[2] as Series, () => rawKafka(brokers, topic), () => oursKafka(stdoutSink)],
        [results[3] as Series, () => rawKafka(brokers, topic), () => oursKafka(postgresSink)],
      ];
      for (const [series, raw, mine] of pairs) {
        if (rawFirst) {
          series.raw.push(await raw());
          series.ours.push(await mine());
        } else {
          series.ours.push(await mine());
          series.raw.push(await raw());
        }
        const last = (list: Measurement[]) => list[list.length - 1]?.messagesPerSecond;
        console.log(
          `round ${round} ${series.name}: raw ${last(series.raw)} msg/s, ours ${last(series.ours)} msg/s`,
        );
      }
    }
  } finally {
    const connection = await amqplib.connect(rabbit.url);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteExchange(exchange).catch(() => {});
    await connection.close().catch(() => {});
    const admin = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dead-letter`] }).catch(() => {});
    await admin.disconnect();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }

  const summary = {
    benchmark: 'consume',
    quick,
    messages: MESSAGES,
    rounds: ROUNDS,
    prefetch: PREFETCH,
    conversations: SENDERS,
    bodyBytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length),
    environment: {
      node: process.version,
      platform: `${platform()} ${release()} ${arch()}`,
      cpus: cpus().length,
      rabbitmq: rabbit.url.replace(/\/\/[^@]*@/, '//'),
      kafka: loadServices().kafka.single.version,
    },
    results: results.map(summarise),
  };
  const file = join(here, 'results', 'consume-bench.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(
    '\nconsumer throughput vs the raw client (same prefetch, per-message acks), ratio median (min-max):',
  );
  for (const r of summary.results) {
    console.log(
      `  ${r.name.padEnd(24)} raw ${String(r.rawMessagesPerSecond).padStart(6)} msg/s   ours ${String(r.oursMessagesPerSecond).padStart(6)} msg/s   ratio ${r.ratioMedian} (${r.ratioMin}-${r.ratioMax})`,
    );
  }
  console.log(`\nwritten to ${file}`);
}

await main();
