import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventBroker, loadEndpoints } from '@broker/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/sinks/postgres/migrations';
import { PostgresSink } from '../../src/sinks/postgres/postgres-sink';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { CLI, consumeIntoPostgres, runCli, startCli } from '../helpers/run-cli';
import {
  deleteKafkaTopics,
  deleteRabbit,
  drainQueue,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  publishRaw,
  queueDepth,
  rabbitNames,
  readKafkaTopic,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { barFrames, onTerminal, requireScript, shellQuote } from '../helpers/terminal';
import { coreFixture, rasaTurnLines, waitFor, wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];
const schemas: string[] = [];
const topics: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'consumers-cli-'));
const turnFile = coreFixture('wire/rasa-3x-turn.jsonl');
const trackerDump = coreFixture('rasa/trackers/tracker_moodbot.json');

function rabbit() {
  const n = rabbitNames();
  created.push(n);
  return { names: n, endpoints: endpointsFile(pikaEndpoint(url, n)) };
}

function kafka() {
  const topic = `consumers-cli-${randomUUID().slice(0, 8)}`;
  topics.push(topic, `${topic}.dead-letter`);
  return { topic, endpoints: endpointsFile(kafkaEndpoint(topic)) };
}

function schema(): string {
  const name = uniqueSchema();
  schemas.push(name);
  return name;
}

/** A tracker dump of `total` restart events of conversation `<prefix>-export`, one second apart from `start`. */
function restartEventsDump(prefix: string, total: number, start: number): string {
  const file = join(work, `${prefix}-dump-${randomUUID().slice(0, 8)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      sender_id: `${prefix}-export`,
      events: Array.from({ length: total }, (_, i) => ({ event: 'restart', timestamp: start + i })),
    }),
  );
  return file;
}

function lastJson(output: string): Record<string, unknown> {
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string);
}

/**
 * An install of @broker/consumers with only `linked` next to it (besides its own dependencies),
 * as an application that did not install an optional peer has it. Returns the folder and the bin.
 */
function isolatedInstall(linked: string[]): { dir: string; cli: string } {
  const dir = mkdtempSync(join(tmpdir(), 'consumers-install-'));
  const home = join(dir, 'node_modules', '@broker', 'consumers');
  mkdirSync(home, { recursive: true });
  const packageDir = dirname(dirname(CLI));
  cpSync(join(packageDir, 'dist'), join(home, 'dist'), { recursive: true });
  cpSync(join(packageDir, 'package.json'), join(home, 'package.json'));
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of [...Object.keys(manifest.dependencies), ...linked]) {
    const target = realpathSync(join(packageDir, 'node_modules', name));
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', name), 'dir');
  }
  return { dir, cli: join(home, 'dist', 'cli.js') };
}

/** Rows the PostgreSQL sink stored in `name` (0 while its tables do not exist). */
async function storedCount(name: string): Promise<number> {
  const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${name}".events`).catch(() => [
    { n: '0' },
  ]);
  return Number(row?.n ?? 0);
}

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  await requirePostgres();
});

afterAll(async () => {
  for (const n of created) await deleteRabbit(url, n);
  for (const s of schemas) await dropSchema(s);
  await deleteKafkaTopics(topics);
});

describe('broker publish + consume', () => {
  it('publishes a Rasa turn, consumes it into PostgreSQL, and prints it as JSON lines', async () => {
    const { endpoints } = rabbit();
    const published = await runCli(['publish', '--endpoints', endpoints, turnFile, '--json']);
    expect(published.code).toBe(0);
    expect(lastJson(published.stdout)).toMatchObject({
      ok: true,
      published: 8,
      confirmed: 8,
      undelivered: 0,
      conversations: 1,
    });

    const name = schema();
    const consumed = await runCli(
      consumeIntoPostgres(
        endpoints,
        { databaseUrl: DATABASE_URL, schema: name },
        '--max-events',
        '8',
        '--json',
      ),
    );
    expect(consumed.code).toBe(0);
    expect(lastJson(consumed.stdout)).toMatchObject({
      command: 'consume',
      ok: true,
      reason: 'max-events',
      handled: 8,
    });
    const rows = await sql<{ body_text: string }>(`SELECT body_text FROM "${name}".events ORDER BY id`);
    expect(rows.map((r) => r.body_text)).toEqual(rasaTurnLines());
  });

  it('prints wire bodies exactly as received when stdout is not a terminal, filtered by type', async () => {
    const { endpoints } = rabbit();
    expect((await runCli(['publish', '-e', endpoints, turnFile])).code).toBe(0);
    // --max-events counts every message taken, the filtered ones too.
    const consumed = await runCli(['consume', '-e', endpoints, '--type', 'user,bot', '--max-events', '8']);
    expect(consumed.code).toBe(0);
    const lines = rasaTurnLines().filter((l) => /"event": "(user|bot)"/.test(l));
    expect(consumed.stdout).toBe(`${lines.join('\n')}\n`);
    expect(consumed.stderr).toMatch(/2 handled, 6 filtered/);
  });

  it('appends wire bodies to a JSON-lines file with --sink jsonl', async () => {
    const { endpoints } = rabbit();
    expect((await runCli(['publish', '-e', endpoints, turnFile])).code).toBe(0);
    const output = join(work, `${Date.now()}.jsonl`);
    const consumed = await runCli([
      'consume',
      '-e',
      endpoints,
      '--sink',
      'jsonl',
      '-o',
      output,
      '--max-events',
      '8',
    ]);
    expect(consumed.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(`${rasaTurnLines().join('\n')}\n`);
  });

  it('publishes and stores identical lines as separate events: handled 3, duplicates 0, 3 rows', async () => {
    const { endpoints } = rabbit();
    const listen =
      '{"sender_id": "same-ms", "event": "action", "timestamp": 1716801234.5, "name": "action_listen"}';
    const bot =
      '{"sender_id": "same-ms", "event": "bot", "timestamp": 1716801234.5, "text": "hi", "data": null}';
    const published = await runCli(['publish', '-e', endpoints, '-', '--json'], {
      input: `${listen}\n${bot}\n${listen}\n`,
    });
    expect(lastJson(published.stdout)).toMatchObject({ ok: true, published: 3, confirmed: 3 });
    const name = schema();
    const consumed = await runCli(
      consumeIntoPostgres(
        endpoints,
        { databaseUrl: DATABASE_URL, schema: name },
        '--max-events',
        '3',
        '--json',
      ),
    );
    expect(consumed.code).toBe(0);
    expect(lastJson(consumed.stdout)).toMatchObject({ ok: true, handled: 3, duplicates: 0, deadLettered: 0 });
    const rows = await sql<{ body_text: string }>(`SELECT body_text FROM "${name}".events ORDER BY id`);
    expect(rows.map((r) => r.body_text)).toEqual([listen, bot, listen]);
  });

  it('ends --max-events on a queue of malformed messages, counting them, and dead-letters them', async () => {
    const { endpoints, names } = rabbit();
    await publishRaw(url, names.queue, ['not json', '{"event": "bot"}', 'also not json', '[]']);
    const consumed = await runCli(['consume', '-e', endpoints, '--max-events', '3', '--json']);
    expect(consumed.code).toBe(0);
    expect(lastJson(consumed.stderr)).toMatchObject({
      ok: true,
      reason: 'max-events',
      malformed: 3,
      handled: 0,
    });
    expect(await drainQueue(url, `${names.queue}.dead-letter`)).toHaveLength(3);
    await waitFor('the fourth left on the queue', async () => (await queueDepth(url, names.queue)) === 1);
  });

  it('stops after --max-events and leaves the rest on the queue, promptly', async () => {
    const { endpoints, names } = rabbit();
    expect((await runCli(['publish', '-e', endpoints, turnFile])).code).toBe(0);
    const started = Date.now();
    const consumed = await runCli(['consume', '-e', endpoints, '--max-events', '3', '--format', 'json']);
    expect(consumed.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(consumed.stdout).toBe(`${rasaTurnLines().slice(0, 3).join('\n')}\n`);
    await waitFor('the other five back on the queue', async () => (await queueDepth(url, names.queue)) === 5);
  });

  it('publishes a tracker dump in Rasa format and reads stdin', async () => {
    const { endpoints, names } = rabbit();
    const fromDump = await runCli(['publish', '-e', endpoints, trackerDump, '--json']);
    expect(lastJson(fromDump.stdout)).toMatchObject({ published: 7, confirmed: 7 });
    const fromStdin = await runCli(['publish', '-e', endpoints, '-', '--json'], {
      input: '{"sender_id": "s", "event": "restart", "timestamp": 2.5}\n',
    });
    expect(lastJson(fromStdin.stdout)).toMatchObject({ published: 1, confirmed: 1 });
    const bodies = (await drainQueue(url, names.queue)).map((m) => m.body);
    expect(bodies).toHaveLength(8);
    expect(bodies[0]).toBe(
      '{"sender_id": "mysender", "event": "action", "timestamp": 1517821726.211031, "name": "action_listen", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}',
    );
    expect(bodies[7]).toBe('{"sender_id": "s", "event": "restart", "timestamp": 2.5}');
  });

  it('refuses invalid input before publishing anything, naming the line', async () => {
    const { endpoints, names } = rabbit();
    const file = join(work, 'bad.jsonl');
    writeFileSync(file, `${rasaTurnLines()[0]}\n{"sender_id": "a", "event": "slot", "timestamp": 1}\n`);
    const result = await runCli(['publish', '-e', endpoints, file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `broker: error: ${file}:2: Invalid "slot" event: name must be a string, got nothing (the field is missing) (and 1 more problem).\n`,
    );
    expect(existsSync(file)).toBe(true);
    await expect(drainQueue(url, names.queue)).rejects.toThrow(/NOT_FOUND/);
  });
});

describe('broker export', () => {
  it('replays the PostgreSQL store with rasa-export-process-id, sender_id last, filtered by conversation and time', async () => {
    const source = rabbit();
    const name = schema();
    expect((await runCli(['publish', '-e', source.endpoints, turnFile])).code).toBe(0);
    expect((await runCli(['publish', '-e', source.endpoints, trackerDump])).code).toBe(0);
    const stored = await runCli(
      consumeIntoPostgres(
        source.endpoints,
        { databaseUrl: DATABASE_URL, schema: name },
        '--max-events',
        '15',
      ),
    );
    expect(stored.code).toBe(0);

    const target = rabbit();
    const lines = rasaTurnLines();
    const minimum = JSON.parse(lines[2] as string).timestamp as number;
    const exported = await runCli([
      'export',
      '-e',
      target.endpoints,
      '--database-url',
      DATABASE_URL,
      '--schema',
      name,
      '--conversation-ids',
      'user-123',
      '--minimum-timestamp',
      String(minimum),
      '--offset-timestamps-by-seconds',
      '10',
      '--json',
    ]);
    expect(exported.code).toBe(0);
    const summary = lastJson(exported.stdout);
    expect(summary).toMatchObject({ command: 'export', ok: true, published: 6, conversations: 1 });
    expect(summary.processId).toMatch(/^[0-9a-f]{32}$/);
    const messages = await drainQueue(url, target.names.queue);
    expect(messages.map((m) => m.headers['rasa-export-process-id'])).toEqual(
      Array(6).fill(summary.processId),
    );
    messages.forEach((message, i) => {
      const original = JSON.parse(lines[i + 2] as string);
      const { sender_id: _, ...event } = original;
      const body = JSON.parse(message.body);
      expect(Object.keys(body).at(-1)).toBe('sender_id');
      expect(body).toEqual({ ...event, timestamp: original.timestamp + 10, sender_id: 'user-123' });
    });
  });

  it('stops at a broker failure with the exact command to continue, and resumes from the resume file', async () => {
    const unreachable = endpointsFile(pikaEndpoint('amqp://127.0.0.1:1', rabbitNames()));
    const resumeFile = join(work, 'export.resume.json');
    const failed = await runCli([
      'export',
      '-e',
      unreachable,
      '--tracker-dump',
      trackerDump,
      '--resume-file',
      resumeFile,
      '--connect-timeout',
      '2s',
    ]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.stderr).toMatch(/127\.0\.0\.1:1/);

    // A broker that fails part-way: the first chunk is confirmed, then the queue refuses more.
    const target = rabbit();
    const limited = endpointsFile({
      ...pikaEndpoint(url, target.names),
      queue_arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' },
    });
    const partial = await runCli([
      'export',
      '-e',
      limited,
      '--tracker-dump',
      trackerDump,
      '--resume-file',
      resumeFile,
      '--chunk-size',
      '2',
      '--timeout',
      '3000',
    ]);
    expect(partial.code).toBe(1);
    const state = JSON.parse(readFileSync(resumeFile, 'utf8'));
    const timestamps = (JSON.parse(readFileSync(trackerDump, 'utf8')).events as { timestamp: number }[])
      .map((e) => e.timestamp)
      .sort((a, b) => a - b);
    expect(state.minimumTimestamp).toBe(timestamps[2]);
    expect(partial.stderr).toContain(
      `To continue where the export stopped, run:\n  broker export --endpoints ${limited} --tracker-dump ${trackerDump} --minimum-timestamp ${timestamps[2]} --resume-file ${resumeFile} --chunk-size 2 --timeout 3000\n`,
    );
    const firstTwo = await drainQueue(url, target.names.queue);
    expect(firstTwo).toHaveLength(2);

    // The broker is fixed (here: a queue without the limit); the resume file carries the position.
    const fixed = rabbit();
    const resumed = await runCli([
      'export',
      '-e',
      fixed.endpoints,
      '--tracker-dump',
      trackerDump,
      '--resume-file',
      resumeFile,
      '--json',
    ]);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ ok: true, published: 5, processId: state.processId });
    expect(existsSync(resumeFile)).toBe(false);
    const rest = await drainQueue(url, fixed.names.queue);
    expect(rest.map((m) => m.headers['rasa-export-process-id'])).toEqual(Array(5).fill(state.processId));
  });
});

describe('broker export progress bar', () => {
  let dumpFile: string;
  const total = 20_000;

  beforeAll(() => {
    requireScript();
    dumpFile = join(work, `progress-dump-${randomUUID().slice(0, 8)}.json`);
    writeFileSync(
      dumpFile,
      JSON.stringify({
        sender_id: 'progress',
        events: Array.from({ length: total }, (_, i) => ({ event: 'restart', timestamp: 1_700_000_000 + i })),
      }),
    );
  });

  it('draws a bar on stderr when it is a terminal, advancing to the total', async () => {
    const { endpoints, names } = rabbit();
    const stdoutFile = join(work, `progress-stdout-${randomUUID().slice(0, 8)}.txt`);
    // stdout goes to a file: what the terminal shows came from stderr.
    const { code, screen } = await onTerminal(
      ['export', '-e', endpoints, '--tracker-dump', dumpFile, '--chunk-size', '200'],
      ` > ${shellQuote(stdoutFile)}`,
    );
    expect(code, screen).toBe(0);
    const frames = barFrames(screen);
    expect(frames.length, screen).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toEqual([0, total]);
    expect(frames.at(-1)).toEqual([total, total]);
    // It moves forward, through values between (chunks are confirmed one by one).
    const values = frames.map(([value]) => value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(
      values.some((value) => value > 0 && value < total),
      screen,
    ).toBe(true);
    expect(values.every((value) => value % 200 === 0)).toBe(true);
    // The summary comes after the bar, on its own line.
    expect(screen).toMatch(
      /events \| [^\n]*\n(?:.*\n)*?broker: 20000 event\(s\) of 1 conversation\(s\) exported/,
    );
    expect(readFileSync(stdoutFile, 'utf8')).toBe('');
    expect(await queueDepth(url, names.queue)).toBe(total);
  });

  it('draws no bar with --json, even on a terminal', async () => {
    const { endpoints } = rabbit();
    const { code, screen } = await onTerminal([
      'export',
      '-e',
      endpoints,
      '--tracker-dump',
      dumpFile,
      '--json',
    ]);
    expect(code, screen).toBe(0);
    expect(screen).not.toContain('exporting [');
    expect(screen).not.toContain('\r\u001b[0K');
    const summary = screen
      .split(/\r?\n/)
      .filter((line) => line.startsWith('{"command":"export"'))
      .map((line) => JSON.parse(line));
    expect(summary).toMatchObject([{ ok: true, published: total }]);
  });

  it('draws no bar when stderr is not a terminal', async () => {
    const { endpoints } = rabbit();
    const result = await runCli(['export', '-e', endpoints, '--tracker-dump', dumpFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('exporting [');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).toMatch(/^broker: 20000 event\(s\) of 1 conversation\(s\) exported/m);
    // Only stderr a file, stdout still a terminal: no bar either.
    const stderrFile = join(work, `progress-stderr-${randomUUID().slice(0, 8)}.txt`);
    const { code, screen } = await onTerminal(
      ['export', '-e', endpoints, '--tracker-dump', dumpFile],
      ` 2> ${shellQuote(stderrFile)}`,
    );
    expect(code, screen).toBe(0);
    const stderr = readFileSync(stderrFile, 'utf8');
    expect(stderr).not.toContain('exporting [');
    expect(stderr).toMatch(/^broker: 20000 event\(s\) of 1 conversation\(s\) exported/m);
    expect(screen).not.toContain('exporting [');
  });
});

describe('broker over Kafka', () => {
  it('publishes to a topic, consumes it from the beginning with a new group, and commits what it handled', async () => {
    const { endpoints } = kafka();
    const published = await runCli(['publish', '-e', endpoints, turnFile, '--json']);
    expect(published.code).toBe(0);
    expect(lastJson(published.stdout)).toMatchObject({
      ok: true,
      published: 8,
      confirmed: 8,
      undelivered: 0,
    });

    const group = `consumers-cli-${randomUUID()}`;
    const consume = (maxEvents: number) =>
      runCli([
        'consume',
        '-e',
        endpoints,
        '--from-beginning',
        '--group',
        group,
        '--max-events',
        String(maxEvents),
      ]);
    const first = await consume(8);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${rasaTurnLines().join('\n')}\n`);
    expect(first.stderr).toMatch(/8 handled, 0 filtered/);

    // The group committed the eight: the next run of the same group reads only what came after.
    const later = '{"sender_id": "user-123", "event": "restart", "timestamp": 1716801240.5}';
    expect((await runCli(['publish', '-e', endpoints, '-'], { input: `${later}\n` })).code).toBe(0);
    const second = await consume(1);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`${later}\n`);
  });

  it('exports a tracker dump with the rasa-export-process-id header, keyed by conversation, sender_id last', async () => {
    const { topic, endpoints } = kafka();
    const exported = await runCli(['export', '-e', endpoints, '--tracker-dump', trackerDump, '--json']);
    expect(exported.code).toBe(0);
    const summary = lastJson(exported.stdout);
    expect(summary).toMatchObject({ command: 'export', ok: true, published: 7, conversations: 1 });
    expect(summary.processId).toMatch(/^[0-9a-f]{32}$/);

    const dump = JSON.parse(readFileSync(trackerDump, 'utf8')) as {
      sender_id: string;
      events: { timestamp: number }[];
    };
    const expected = [...dump.events].sort((a, b) => a.timestamp - b.timestamp);
    const records = await readKafkaTopic(topic, 7);
    expect(records.map((r) => r.headers['rasa-export-process-id'])).toEqual(Array(7).fill(summary.processId));
    expect(records.map((r) => r.key)).toEqual(Array(7).fill(dump.sender_id));
    records.forEach((record, i) => {
      const body = JSON.parse(record.value);
      expect(Object.keys(body).at(-1)).toBe('sender_id');
      expect(body).toEqual({ ...expected[i], sender_id: dump.sender_id });
    });
  });
});

/**
 * `broker consume --sink postgres` holding events in flight: the store exists and another
 * session locks it, so the events the consumer takes wait in its sink until `release()`.
 */
async function heldConsume(total = 40) {
  const { endpoints, names } = rabbit();
  const name = schema();
  await (await PostgresSink.open({ databaseUrl: DATABASE_URL, schema: name })).close();
  const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
  for (let i = 0; i < total; i++) broker!.publish(wireBody(`sigint-${i % 4}`));
  await broker!.flush(30_000);
  await broker!.close();

  const blocker = new pg.Client({ connectionString: DATABASE_URL });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query(`LOCK TABLE "${name}".conversations IN EXCLUSIVE MODE`);
  const run = startCli(
    consumeIntoPostgres(
      endpoints,
      { databaseUrl: DATABASE_URL, schema: name },
      '--concurrency',
      '8',
      '--json',
    ),
  );
  const sinkWaiting = async () =>
    (
      await sql(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = 'broker-consumers' AND wait_event_type = 'Lock' AND query LIKE $1`,
        [`%"${name}".conversations%`],
      )
    ).length > 0;
  await waitFor('the sink waiting on the lock with events in flight', sinkWaiting);
  return {
    run,
    names,
    name,
    total,
    release: () => blocker.query('COMMIT'),
    /** After a graceful stop: the `handled` events are stored once, the others are back on the queue. */
    expectStoredAndRestRequeued: async (handled: number) => {
      expect(await storedCount(name)).toBe(handled);
      await waitFor(
        'the events it did not take back on the queue',
        async () => (await queueDepth(url, names.queue)) === total - handled,
      );
    },
    end: async () => {
      run.kill();
      await blocker.end().catch(() => {});
    },
  };
}

describe('stopping with SIGINT', () => {
  it('consume finishes the events in flight, stores and acknowledges them, then exits 0', async () => {
    const held = await heldConsume();
    const { run, total } = held;
    try {
      run.child.kill('SIGINT');
      await run.waitForOutput('SIGINT: stopping (finishing events in flight');
      // It waits for the events in flight instead of exiting.
      expect(run.child.exitCode).toBe(null);
      await held.release();
      const result = await run.done;
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(0);
      const summary = lastJson(result.stdout);
      expect(summary).toMatchObject({
        command: 'consume',
        ok: true,
        reason: 'stopped',
        deadLettered: 0,
        inFlight: 0,
        unsettled: 0,
      });
      const handled = summary.handled as number;
      // One event per conversation was in flight (each conversation's next one waits behind it).
      expect(handled).toBeGreaterThanOrEqual(4);
      expect(handled).toBeLessThan(total);
      await held.expectStoredAndRestRequeued(handled);
    } finally {
      await held.end();
    }
  });

  it('consume takes a second SIGINT 50 ms after the first (npm passing Ctrl-C on) as the same one: still a graceful stop, exit 0', async () => {
    const held = await heldConsume();
    const { run } = held;
    try {
      run.child.kill('SIGINT');
      // The gap under test: npm passes Ctrl-C on to its child about this long after the first.
      await new Promise((resolve) => setTimeout(resolve, 50));
      run.child.kill('SIGINT');
      await run.waitForOutput(/"msg":"SIGINT again \d+ ms after the first: taken as the same one/);
      // Both signals arrived and it still waits for the events in flight.
      expect(run.output().stderr).toContain('SIGINT: stopping (finishing events in flight');
      expect(run.child.exitCode).toBe(null);
      await held.release();
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('exiting at once');
      const summary = lastJson(result.stdout);
      expect(summary).toMatchObject({ ok: true, reason: 'stopped', inFlight: 0, unsettled: 0 });
      const handled = summary.handled as number;
      expect(handled).toBeGreaterThanOrEqual(4);
      await held.expectStoredAndRestRequeued(handled);
    } finally {
      await held.end();
    }
  });

  it('consume exits at once with 130 on a second SIGINT 2 s after the first, saying what it leaves unacknowledged; the broker keeps it all', async () => {
    const held = await heldConsume();
    const { run, names, name, total } = held;
    try {
      run.child.kill('SIGINT');
      await run.waitForOutput('SIGINT: stopping (finishing events in flight');
      // Proves the first signal alone does not end it, and puts the second past the 50 ms window.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(run.child.exitCode).toBe(null);
      const sentAt = Date.now();
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(Date.now() - sentAt).toBeLessThan(5000);
      expect(result.code).toBe(130);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // With --json, the message is a JSON log line like the others.
      const messages = result.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string });
      const forced = messages
        .map((m) =>
          m.level === 'warn'
            ? /^SIGINT again: exiting at once without waiting; (\d+) event\(s\) in flight were not acknowledged: the broker delivers them again \(the postgres sink may have stored some of them already; it skips the copies\); 0 handled and acknowledged before$/.exec(
                m.msg,
              )
            : null,
        )
        .find((match) => match !== null);
      expect(forced, result.stderr).toBeDefined();
      const inFlight = Number(forced![1]);
      // The consumer had taken events of all four conversations (concurrency 8).
      expect(inFlight).toBeGreaterThanOrEqual(4);
      expect(inFlight).toBeLessThanOrEqual(8);
      expect(lastJson(result.stdout)).toMatchObject({
        command: 'consume',
        ok: false,
        reason: 'forced-exit',
        handled: 0,
        inFlight,
      });
      // Nothing was acknowledged: once its connection is gone, every event is back on the queue.
      await waitFor(
        'all events back on the queue',
        async () => (await queueDepth(url, names.queue)) === total,
      );
      // Its transaction waited on the lock and dies with the connection: nothing was stored.
      await held.release();
      await waitFor(
        'its database sessions gone',
        async () =>
          (
            await sql(
              `SELECT 1 FROM pg_stat_activity WHERE application_name = 'broker-consumers' AND query LIKE $1`,
              [`%"${name}".%`],
            )
          ).length === 0,
      );
      expect(await storedCount(name)).toBe(0);
    } finally {
      await held.end();
    }
  });

  it('export stops after the current chunk, prints the command that continues, and exits 130', async () => {
    const { endpoints, names } = rabbit();
    // The continuation repeats --chunk-size 1: few enough events for the resumed run to be quick.
    const total = 4000;
    const start = 1_700_000_000;
    const dumpFile = restartEventsDump('sigint', total, start);
    const resumeFile = join(work, `sigint-${randomUUID().slice(0, 8)}.resume.json`);
    const run = startCli([
      'export',
      '-e',
      endpoints,
      '--tracker-dump',
      dumpFile,
      '--resume-file',
      resumeFile,
      '--chunk-size',
      '1',
    ]);
    await waitFor(
      'the first events exported',
      async () => (await queueDepth(url, names.queue).catch(() => 0)) > 0,
    );
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    const match =
      /The export was interrupted after (\d+) event\(s\)\.\nTo continue where the export stopped, run:\n {2}(broker export .*)\n/.exec(
        interrupted.stderr,
      );
    expect(match, interrupted.stderr).not.toBe(null);
    const exported = Number(match![1]);
    expect(exported).toBeGreaterThan(0);
    expect(exported).toBeLessThan(total);
    // Every event before the position was confirmed, none after it was sent.
    expect(match![2]).toBe(
      `broker export --endpoints ${endpoints} --tracker-dump ${dumpFile} --minimum-timestamp ${start + exported} --resume-file ${resumeFile} --chunk-size 1`,
    );
    expect(await queueDepth(url, names.queue)).toBe(exported);
    const state = JSON.parse(readFileSync(resumeFile, 'utf8'));
    expect(state).toMatchObject({ minimumTimestamp: start + exported, published: exported });

    // The printed command continues where it stopped, with the same process id.
    const resumed = await runCli([...match![2]!.split(' ').slice(1), '--json']);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({
      ok: true,
      published: total - exported,
      processId: state.processId,
    });
    const messages = await drainQueue(url, names.queue);
    expect(messages.map((m) => JSON.parse(m.body).timestamp)).toEqual(
      Array.from({ length: total }, (_, i) => start + i),
    );
    expect(new Set(messages.map((m) => m.headers['rasa-export-process-id']))).toEqual(
      new Set([state.processId]),
    );
  });
});

describe('stopping export with a second SIGINT', () => {
  it('exits at once with 130 while a chunk waits for confirmation, writes the resume file and prints the command that continues', async () => {
    const target = rabbit();
    // A proxy in front of RabbitMQ that can hold back what the broker sends (its confirmations).
    const broker = new URL(url);
    let holding = false;
    const held: { socket: Socket; chunks: Buffer[] }[] = [];
    const proxy = createServer((client) => {
      const upstream = connect(Number(broker.port || 5672), broker.hostname);
      const entry = { socket: client, chunks: [] as Buffer[] };
      held.push(entry);
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => (holding ? entry.chunks.push(chunk) : client.write(chunk)));
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    try {
      const proxied = endpointsFile(pikaEndpoint(`amqp://guest:guest@127.0.0.1:${port}`, target.names));
      const total = 2000;
      const chunkSize = 50;
      const start = 1_700_000_000;
      const dumpFile = restartEventsDump('forced', total, start);
      const resumeFile = join(work, `forced-${randomUUID().slice(0, 8)}.resume.json`);
      const run = startCli([
        'export',
        '-e',
        proxied,
        '--tracker-dump',
        dumpFile,
        '--resume-file',
        resumeFile,
        '--chunk-size',
        String(chunkSize),
      ]);
      try {
        // A chunk goes out only after the one before it was confirmed: once the queue holds more
        // than a chunk, the first confirmation has reached the export, and holding back starts later.
        await waitFor(
          'the first chunk confirmed',
          async () => (await queueDepth(url, target.names.queue).catch(() => 0)) > chunkSize,
        );
        holding = true;
        // Once a confirmation is held back, the chunk it belongs to waits for it.
        await waitFor('a confirmation held back', () => held.some((entry) => entry.chunks.length > 0));
        run.child.kill('SIGINT');
        await run.waitForOutput('SIGINT: stopping the export after the current chunk');
        // Proves the first signal alone does not end the held chunk, and puts the second past the 50 ms window.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        expect(run.child.exitCode).toBe(null);
        run.child.kill('SIGINT');
        const result = await run.done;
        expect(result.code).toBe(130);
        const match =
          /broker: SIGINT again: exiting at once without waiting; (\d+) event\(s\) handed to the broker were not confirmed \(they may have arrived or not\); (\d+) event\(s\) were exported and confirmed before\.\nTo continue where the export stopped, run:\n {2}(broker export .*)\n/.exec(
            result.stderr,
          );
        expect(match, result.stderr).not.toBe(null);
        const unconfirmed = Number(match![1]);
        const confirmed = Number(match![2]);
        expect(unconfirmed).toBe(chunkSize);
        expect(confirmed % chunkSize).toBe(0);
        expect(confirmed).toBeGreaterThan(0);
        expect(confirmed).toBeLessThan(total);
        // Everything before the unconfirmed chunk was confirmed; the command continues at its first event.
        expect(match![3]).toBe(
          `broker export --endpoints ${proxied} --tracker-dump ${dumpFile} --minimum-timestamp ${start + confirmed} --resume-file ${resumeFile} --chunk-size ${chunkSize}`,
        );
        const state = JSON.parse(readFileSync(resumeFile, 'utf8'));
        expect(state).toMatchObject({ minimumTimestamp: start + confirmed, published: confirmed });

        // The broker answers again; the printed command finishes the export with the same process id.
        holding = false;
        const before = (await drainQueue(url, target.names.queue)).map((m) => JSON.parse(m.body).timestamp);
        // The held chunk reached the queue or not; nothing after it was sent.
        expect(before.length).toBeGreaterThanOrEqual(confirmed);
        expect(before.length).toBeLessThanOrEqual(confirmed + unconfirmed);
        expect(before).toEqual(Array.from({ length: before.length }, (_, i) => start + i));
        const resumed = await runCli([...match![3]!.split(' ').slice(1), '--json']);
        expect(resumed.code).toBe(0);
        expect(lastJson(resumed.stdout)).toMatchObject({
          ok: true,
          published: total - confirmed,
          processId: state.processId,
        });
        expect(existsSync(resumeFile)).toBe(false);
        const rest = await drainQueue(url, target.names.queue);
        expect(rest.map((m) => JSON.parse(m.body).timestamp)).toEqual(
          Array.from({ length: total - confirmed }, (_, i) => start + confirmed + i),
        );
        expect(new Set(rest.map((m) => m.headers['rasa-export-process-id']))).toEqual(
          new Set([state.processId]),
        );
      } finally {
        run.kill();
      }
    } finally {
      for (const { socket } of held) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('broker demo', () => {
  it('runs with no broker at all', async () => {
    const result = await runCli(['demo', '--no-delay']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /33 events published, 33 confirmed by the broker, 33 consumed, 0 undelivered\./,
    );
  });

  it('streams through RabbitMQ and reads back through the message source', async () => {
    const result = await runCli(['demo', '--no-delay', '--endpoints', rabbit().endpoints]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/through the pika broker/);
    expect(result.stdout).toMatch(
      /33 events published, 33 confirmed by the broker, 33 consumed, 0 undelivered\./,
    );
  });

  it('streams through Kafka and reads back through the message source', async () => {
    const result = await runCli(['demo', '--no-delay', '--endpoints', kafka().endpoints]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /33 events published, 33 confirmed by the broker, 33 consumed, 0 undelivered\./,
    );
  });
});

describe('broker errors', () => {
  it('says which package to install when the adapter is missing (exit 3)', async () => {
    // An install of @broker/consumers without @broker/kafka: a copy of the package next to its dependencies only.
    const install = isolatedInstall([]);
    const endpoints = join(install.dir, 'endpoints.yml');
    writeFileSync(endpoints, 'event_broker:\n  type: kafka\n  url: localhost:9092\n  topic: t\n');
    const result = await runCli(['consume', '-e', endpoints], { cli: install.cli, cwd: install.dir });
    expect(result.stderr).toBe(
      "broker: error: event_broker type 'kafka' needs the @broker/kafka package, which is not installed. Install it with `npm install @broker/kafka` (it brings kafkajs).\n",
    );
    expect(result.code).toBe(3);
  });

  it('says to install pg when the PostgreSQL sink or export cannot load it (exit 3)', async () => {
    // The adapter is installed, pg is not (it is an optional peer); the package's own copy is out of reach.
    const install = isolatedInstall(['@broker/pika']);
    const { endpoints } = rabbit();
    const message =
      'The PostgreSQL sink needs the pg package (node-postgres), which is not installed. Install it with `npm install pg`.';
    const consume = await runCli(
      ['consume', '-e', endpoints, '--sink', 'postgres', '--database-url', DATABASE_URL],
      {
        cli: install.cli,
        cwd: install.dir,
      },
    );
    expect(consume.stderr).toBe(`broker: error: ${message}\n`);
    expect(consume.code).toBe(3);
    const exported = await runCli(['export', '-e', endpoints, '--database-url', DATABASE_URL, '--json'], {
      cli: install.cli,
      cwd: install.dir,
    });
    expect(exported.code).toBe(3);
    expect(lastJson(exported.stdout)).toEqual({
      ok: false,
      error: { code: 'BROKER_MISSING_DEPENDENCY', message, exitCode: 3 },
    });
    // The same install with pg next to it stores events.
    const withPg = isolatedInstall(['@broker/pika', 'pg']);
    const name = schema();
    expect(
      (await runCli(['publish', '-e', endpoints, '-'], { input: `${wireBody('pg-installed')}\n` })).code,
    ).toBe(0);
    const consumed = await runCli(
      consumeIntoPostgres(endpoints, { databaseUrl: DATABASE_URL, schema: name }, '--max-events', '1'),
      { cli: withPg.cli, cwd: withPg.dir },
    );
    expect(consumed.stderr).not.toContain('pg package');
    expect(consumed.code).toBe(0);
    expect(await storedCount(name)).toBe(1);
  });

  it('refuses a conversation store written by a newer version (exit 2)', async () => {
    const name = schema();
    const newer = LATEST_SCHEMA_VERSION + 1;
    await sql(`CREATE SCHEMA "${name}"`);
    await sql(`CREATE TABLE "${name}".schema_version (version integer PRIMARY KEY, name text NOT NULL)`);
    await sql(`INSERT INTO "${name}".schema_version VALUES ($1, 'newer')`, [newer]);
    const { endpoints } = rabbit();
    const expected = `broker: error: The conversation store in schema ${name} is at version ${newer}, newer than this @broker/consumers understands (${LATEST_SCHEMA_VERSION}). Upgrade @broker/consumers.\n`;
    for (const command of ['consume', 'export']) {
      const result = await runCli([
        command,
        '-e',
        endpoints,
        ...(command === 'consume' ? ['--sink', 'postgres'] : []),
        '--database-url',
        DATABASE_URL,
        '--schema',
        name,
      ]);
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({
        command,
        code: 2,
        stderr: expected,
      });
    }
  });

  it('names the file, line and problem of a bad endpoints file (exit 2)', async () => {
    const file = join(work, 'broken.yml');
    writeFileSync(file, 'event_broker:\n  type: pika\n  url: [oops\n');
    const result = await runCli(['consume', '-e', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^broker: error: Malformed YAML in ${file} at line \\d+, column \\d+: .+\\n$`),
    );
    const missing = await runCli(['publish', '-e', join(work, 'nope.yml'), turnFile, '--json']);
    expect(missing.code).toBe(2);
    expect(lastJson(missing.stdout)).toEqual({
      ok: false,
      error: {
        code: 'BROKER_CONFIG',
        message: `Cannot read the endpoints file ${join(work, 'nope.yml')}: it does not exist.`,
        exitCode: 2,
      },
    });
  });

  it('reports an unreachable broker without a stack trace (exit 4)', async () => {
    const endpoints = endpointsFile({
      ...pikaEndpoint('amqp://127.0.0.1:1', rabbitNames()),
      password: 's3cret-pw',
    });
    const result = await runCli(['publish', '-e', endpoints, turnFile, '--connect-timeout', '2s']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it('reports rejected credentials for consume (exit 4)', async () => {
    const endpoints = endpointsFile({ ...pikaEndpoint(url, rabbitNames()), password: 'wrong-password' });
    const result = await runCli(['consume', '-e', endpoints], { timeoutMs: 10_000 });
    expect(result.code).toBe(4);
    expect(result.stderr).not.toContain('wrong-password');
    expect(result.stderr).toMatch(/broker: error: .*(credentials|ACCESS_REFUSED|authentication)/i);
  });

  it('rejects bad options as usage errors (exit 2)', async () => {
    const { endpoints } = rabbit();
    for (const args of [
      ['consume', '-e', endpoints, '--concurrency', '0'],
      ['consume', '-e', endpoints, '--sink', 'kafka'],
      ['consume', '-e', endpoints, '--sink', 'jsonl'],
      ['consume', '-e', endpoints, '--sink', 'postgres', '--format', 'json'],
      ['export', '-e', endpoints, '--tracker-dump', trackerDump, '--minimum-timestamp', 'yesterday'],
      ['nonsense'],
    ]) {
      const result = await runCli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('documents commands and exit codes in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['consume', 'publish', 'export', 'demo', 'Exit codes:', '130'])
      expect(result.stdout).toContain(word);
    expect(fileURLToPath(import.meta.url)).toBeTruthy();
  });
});
