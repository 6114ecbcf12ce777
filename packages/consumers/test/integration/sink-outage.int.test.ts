// `broker consume --sink postgres` while PostgreSQL goes away mid-stream: an outage pauses
// consuming and nothing is dead-lettered; past --max-outage the command exits 4 and leaves
// what it did not store with the broker. RabbitMQ loses PostgreSQL through a TCP proxy that is
// stopped (connections dropped, then refused) and restarted; Kafka through a database of the
// test's own that stops accepting connections (ALLOW_CONNECTIONS false + pg_terminate_backend).
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, requirePostgres, sql, sqlAt, uniqueSchema } from '../helpers/database';
import { publishPaced } from '../helpers/paced-publisher';
import { type ProxiedUrl, proxiedUrl } from '../helpers/proxied-url';
import { type CliRun, consumeIntoPostgres, startCli } from '../helpers/run-cli';
import {
  endpointsFile,
  kafkaEndpoint,
  loadServices,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { TestResources } from '../helpers/test-resources';
import { waitFor, wireBody } from '../helpers/wire';

const TOTAL = 2000;
const OUTAGE_MS = 20_000;

let url: string;
const made = new TestResources();
const { rabbits, topics, databases, schemas, proxies, runs } = made;

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  await requirePostgres();
});

afterAll(async () => {
  await made.remove(url);
});

/** 2000 distinct events over 20 conversations. */
function events(): string[] {
  return Array.from({ length: TOTAL }, (_, i) => wireBody(`outage-${i % 20}`));
}

function rabbit() {
  const names = rabbitNames();
  rabbits.push(names);
  return { names, endpoints: endpointsFile(pikaEndpoint(url, names)) };
}

function kafka() {
  const topic = `consumers-outage-${randomUUID().slice(0, 8)}`;
  topics.push(topic, `${topic}.dead-letter`);
  return { topic, endpoints: endpointsFile(kafkaEndpoint(topic)) };
}

interface Store {
  /** The database URL the consumer writes to. */
  url: string;
  schema: string;
}

/** A database of this test's own, which it may close to connections without disturbing anyone. */
async function ownDatabase(): Promise<Store & { name: string }> {
  const name = `consumers_outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await sql(`CREATE DATABASE "${name}"`);
  databases.push(name);
  const own = new URL(DATABASE_URL);
  own.pathname = `/${name}`;
  return { name, url: own.toString(), schema: 'public' };
}

/** PostgreSQL refuses new sessions of the database and ends the open ones, as an administrator would. */
async function closeDatabase(name: string): Promise<void> {
  await sql(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
  await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
}

async function openDatabase(name: string): Promise<void> {
  await sql(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
}

/** A TCP proxy in front of PostgreSQL, the database URL through it, and a schema of this test's own. */
async function proxiedDatabase(): Promise<Store & ProxiedUrl> {
  const proxied = await proxiedUrl(DATABASE_URL, 5432, proxies);
  const schema = uniqueSchema();
  schemas.push(schema);
  return { ...proxied, schema };
}

/** Rows stored, and distinct bodies among them (equal when each event is stored once). */
async function stored(store: Store): Promise<{ rows: number; distinct: number }> {
  const [row] = await sqlAt<{ rows: string; distinct: string }>(
    store.url,
    `SELECT count(*) AS rows, count(DISTINCT body_text) AS distinct FROM "${store.schema}".events`,
  ).catch(() => [{ rows: '0', distinct: '0' }]);
  return { rows: Number(row?.rows), distinct: Number(row?.distinct) };
}

function consume(endpoints: string, store: Store, extra: string[] = []): CliRun {
  const run = startCli(
    consumeIntoPostgres(endpoints, { databaseUrl: store.url, schema: store.schema }, '--json', ...extra),
  );
  runs.push(run);
  return run;
}

function summary(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string);
}

/** Log lines (JSON on stderr) whose message matches. */
function logged(stderr: string, pattern: RegExp): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => String(JSON.parse(line).msg ?? ''))
    .filter((message) => pattern.test(message));
}

type KafkaAdmin = ReturnType<Kafka['admin']>;

async function withKafkaAdmin<T>(use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers: [loadServices().kafka.single.plaintext],
    clientId: 'consumers-test',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of the group, summed over the topic's partitions (-1 = none counts 0). */
function committedTotal(groupId: string, topic: string): Promise<number> {
  return withKafkaAdmin(async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  });
}

/** Messages in a topic (0 when it does not exist): dead letters. */
function topicSize(topic: string): Promise<number> {
  return withKafkaAdmin(async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  });
}

/** Members of the group now: one that left is gone at once, one that vanished stays until its session times out. */
function groupMembers(groupId: string): Promise<number> {
  return withKafkaAdmin(async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  });
}

/** The outage itself: it lasts this long whatever the consumer does (what must not happen meanwhile is checked after). */
const outage = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('broker consume --sink postgres through a PostgreSQL outage', () => {
  it('RabbitMQ: PostgreSQL gone for 20 s mid-stream (dropped, then refused): all 2000 stored once, none dead-lettered, exit 0', async () => {
    const { names, endpoints } = rabbit();
    const database = await proxiedDatabase();
    const run = consume(endpoints, database);
    await run.waitForOutput(`consuming queue ${names.queue}`);
    const publishing = publishPaced(endpoints, events(), 100);
    await waitFor('500 events stored', async () => (await stored(database)).rows >= 500, 30_000);
    await database.proxy.close();
    await outage(OUTAGE_MS);
    await database.restart();
    await publishing;
    await waitFor('all events stored', async () => (await stored(database)).rows >= TOTAL, 40_000);
    run.interrupt();
    const result = await run.done;
    const counts = await stored(database);
    const deadLettered = await queueDepth(url, `${names.queue}.dead-letter`);
    const left = await queueDepth(url, names.queue);
    console.info(
      `outage test (RabbitMQ, 20 s): stored ${counts.rows}, dead-lettered ${deadLettered}, left on the broker ${left}`,
    );
    expect(result.code).toBe(0);
    expect(counts).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(deadLettered).toBe(0);
    expect(left).toBe(0);
    expect(summary(result.stdout)).toMatchObject({
      ok: true,
      handled: TOTAL,
      deadLettered: 0,
      paused: false,
    });
    expect(summary(result.stdout).outages).toBeGreaterThanOrEqual(1);
    expect(logged(result.stderr, /still unavailable after \d+\.\d s/).length).toBeGreaterThan(2);
  }, 120_000);

  it('RabbitMQ: past --max-outage it exits 4, the events not stored stay on the queue, none dead-lettered; a later run stores them', async () => {
    const { names, endpoints } = rabbit();
    const database = await proxiedDatabase();
    const run = consume(endpoints, database, ['--max-outage', '3s']);
    await run.waitForOutput(`consuming queue ${names.queue}`);
    const publishing = publishPaced(endpoints, events(), 400);
    await waitFor('500 events stored', async () => (await stored(database)).rows >= 500, 30_000);
    await database.proxy.close();
    const result = await run.done;
    await publishing;
    await database.restart();
    const before = await stored(database);
    const deadLettered = await queueDepth(url, `${names.queue}.dead-letter`);
    let left = 0;
    // Nothing lost: every event is stored or on the queue. Both, for an event whose COMMIT went
    // unanswered when the connection dropped: it was not acknowledged, so it comes again.
    await waitFor('the unacknowledged events back on the queue', async () => {
      left = await queueDepth(url, names.queue);
      return before.rows + left >= TOTAL;
    });
    console.info(
      `outage test (RabbitMQ, past --max-outage 3s): stored ${before.rows}, dead-lettered ${deadLettered}, left on the broker ${left}`,
    );
    expect(result.code).toBe(4);
    const report = summary(result.stdout);
    expect(report).toMatchObject({ ok: false, reason: 'outage', deadLettered: 0, paused: true });
    expect(report.unsettled).toBeGreaterThan(0);
    expect(before.distinct).toBe(before.rows);
    expect(deadLettered).toBe(0);
    expect(
      logged(result.stderr, /left with the broker, unacknowledged, to be delivered again; none lost/),
    ).toHaveLength(1);

    // Nothing was lost: the next run stores the rest.
    const again = consume(endpoints, database);
    await waitFor('all events stored', async () => (await stored(database)).rows >= TOTAL, 30_000);
    again.interrupt();
    expect((await again.done).code).toBe(0);
    expect(await stored(database)).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(await queueDepth(url, `${names.queue}.dead-letter`)).toBe(0);
  }, 120_000);

  it('Kafka: the database closed to connections for 20 s mid-stream: all 2000 stored once, none dead-lettered, exit 0', async () => {
    const { topic, endpoints } = kafka();
    const database = await ownDatabase();
    const bodies = events();
    // The topic exists before the consumer subscribes.
    await publishPaced(endpoints, bodies.slice(0, 1), 1000);
    const group = `consumers-outage-${randomUUID()}`;
    const run = consume(endpoints, database, ['--from-beginning', '--group', group]);
    const publishing = publishPaced(endpoints, bodies.slice(1), 100);
    await waitFor('500 events stored', async () => (await stored(database)).rows >= 500, 40_000);
    await closeDatabase(database.name);
    await outage(OUTAGE_MS);
    await openDatabase(database.name);
    await publishing;
    await waitFor('all events stored', async () => (await stored(database)).rows >= TOTAL, 40_000);
    run.interrupt();
    const result = await run.done;
    const counts = await stored(database);
    const deadLettered = await topicSize(`${topic}.dead-letter`);
    const left = TOTAL - (await committedTotal(group, topic));
    console.info(
      `outage test (Kafka, 20 s): stored ${counts.rows}, dead-lettered ${deadLettered}, left on the broker (not committed) ${left}`,
    );
    expect(result.code).toBe(0);
    expect(counts).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(deadLettered).toBe(0);
    expect(left).toBe(0);
    expect(summary(result.stdout)).toMatchObject({ ok: true, deadLettered: 0, paused: false });
    expect(logged(result.stderr, /still unavailable after \d+\.\d s/).length).toBeGreaterThan(2);
  }, 120_000);

  it('Kafka: past --max-outage it exits 4 with the offsets of what was not stored uncommitted, none dead-lettered; a later run stores them', async () => {
    const { topic, endpoints } = kafka();
    const database = await ownDatabase();
    const bodies = events();
    await publishPaced(endpoints, bodies.slice(0, 1), 1000);
    const group = `consumers-outage-${randomUUID()}`;
    const run = consume(endpoints, database, ['--from-beginning', '--group', group, '--max-outage', '3s']);
    const publishing = publishPaced(endpoints, bodies.slice(1), 400);
    await waitFor('500 events stored', async () => (await stored(database)).rows >= 500, 40_000);
    await closeDatabase(database.name);
    const result = await run.done;
    // It left the group on its way out, so a consumer started again gets the partitions at once.
    expect(await groupMembers(group)).toBe(0);
    await publishing;
    await openDatabase(database.name);
    const before = await stored(database);
    const committed = await committedTotal(group, topic);
    const deadLettered = await topicSize(`${topic}.dead-letter`);
    console.info(
      `outage test (Kafka, past --max-outage 3s): stored ${before.rows}, dead-lettered ${deadLettered}, left on the broker (not committed) ${TOTAL - committed}`,
    );
    expect(result.code).toBe(4);
    expect(summary(result.stdout)).toMatchObject({
      ok: false,
      reason: 'outage',
      deadLettered: 0,
      paused: true,
    });
    // Only what was stored is committed.
    expect(committed).toBeLessThanOrEqual(before.rows);
    expect(committed).toBeLessThan(TOTAL);
    expect(before.distinct).toBe(before.rows);
    expect(deadLettered).toBe(0);

    const again = consume(endpoints, database, ['--from-beginning', '--group', group]);
    await waitFor('all events stored', async () => (await stored(database)).rows >= TOTAL, 40_000);
    again.interrupt();
    expect((await again.done).code).toBe(0);
    expect(await stored(database)).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(await topicSize(`${topic}.dead-letter`)).toBe(0);
  }, 120_000);
});
