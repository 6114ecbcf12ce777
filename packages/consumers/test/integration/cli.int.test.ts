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
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, requirePostgres, sql, uniqueSchema } from '../helpers/database';
import { CLI, runCli } from '../helpers/run-cli';
import {
  deleteRabbit,
  drainQueue,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { coreFixture, rasaTurnLines, waitFor } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];
const schemas: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'consumers-cli-'));
const turnFile = coreFixture('wire/rasa-3x-turn.jsonl');
const trackerDump = coreFixture('rasa/trackers/tracker_moodbot.json');

function rabbit() {
  const n = rabbitNames();
  created.push(n);
  return { names: n, endpoints: endpointsFile(pikaEndpoint(url, n)) };
}

function schema(): string {
  const name = uniqueSchema();
  schemas.push(name);
  return name;
}

function lastJson(output: string): Record<string, unknown> {
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string);
}

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  await requirePostgres();
});

afterAll(async () => {
  for (const n of created) await deleteRabbit(url, n);
  for (const s of schemas) await dropSchema(s);
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
    const consumed = await runCli([
      'consume',
      '--endpoints',
      endpoints,
      '--sink',
      'postgres',
      '--database-url',
      DATABASE_URL,
      '--schema',
      name,
      '--max-events',
      '8',
      '--json',
    ]);
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
    const consumed = await runCli(['consume', '-e', endpoints, '--type', 'user,bot', '--max-events', '2']);
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
    const stored = await runCli([
      'consume',
      '-e',
      source.endpoints,
      '--sink',
      'postgres',
      '--database-url',
      DATABASE_URL,
      '--schema',
      name,
      '--max-events',
      '15',
    ]);
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
    const unreachable = endpointsFile({
      ...pikaEndpoint('amqp://127.0.0.1:1', rabbitNames()),
      connection_attempts: 1,
      retry_delay_in_seconds: 0,
    });
    const resumeFile = join(work, 'export.resume.json');
    const failed = await runCli([
      'export',
      '-e',
      unreachable,
      '--tracker-dump',
      trackerDump,
      '--resume-file',
      resumeFile,
      '--timeout',
      '2000',
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
      `To continue where the export stopped, run:\n  broker export --endpoints ${limited} --tracker-dump ${trackerDump} --minimum-timestamp ${timestamps[2]} --resume-file ${resumeFile}\n`,
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
    const topic = `consumers-demo-${Date.now()}`;
    const result = await runCli(['demo', '--no-delay', '--endpoints', endpointsFile(kafkaEndpoint(topic))]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /33 events published, 33 confirmed by the broker, 33 consumed, 0 undelivered\./,
    );
  });
});

describe('broker errors', () => {
  it('says which package to install when the adapter is missing (exit 3)', async () => {
    // An install of @broker/consumers without @broker/kafka: a copy of the package next to its dependencies only.
    const install = mkdtempSync(join(tmpdir(), 'consumers-install-'));
    const home = join(install, 'node_modules', '@broker', 'consumers');
    mkdirSync(home, { recursive: true });
    const packageDir = dirname(dirname(CLI));
    cpSync(join(packageDir, 'dist'), join(home, 'dist'), { recursive: true });
    cpSync(join(packageDir, 'package.json'), join(home, 'package.json'));
    const link = (name: string) => {
      const target = realpathSync(join(packageDir, 'node_modules', name));
      mkdirSync(dirname(join(install, 'node_modules', name)), { recursive: true });
      symlinkSync(target, join(install, 'node_modules', name), 'dir');
    };
    for (const name of ['@broker/core', 'commander', 'cli-progress']) link(name);
    const endpoints = join(install, 'endpoints.yml');
    writeFileSync(endpoints, 'event_broker:\n  type: kafka\n  url: localhost:9092\n  topic: t\n');
    const result = await runCli(['consume', '-e', endpoints], {
      cli: join(home, 'dist', 'cli.js'),
      cwd: install,
    });
    expect(result.stderr).toBe(
      "broker: error: event_broker type 'kafka' needs the @broker/kafka package, which is not installed. Install it with `npm install @broker/kafka` (it brings kafkajs).\n",
    );
    expect(result.code).toBe(3);
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
      connection_attempts: 1,
      retry_delay_in_seconds: 0,
    });
    const result = await runCli(['publish', '-e', endpoints, turnFile, '--timeout', '2000']);
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
