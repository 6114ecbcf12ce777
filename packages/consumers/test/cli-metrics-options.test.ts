import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';

// Every command line here is refused before anything connects (the metrics endpoint starts
// first): the endpoints file names a broker that is never reached.
const endpoints = join(tmpdir(), `metrics-options-${process.pid}.yml`);
let taken: Server;
let takenPort: number;

beforeAll(async () => {
  writeFileSync(
    endpoints,
    'event_broker:\n  type: pika\n  url: amqp://127.0.0.1:1\n  queues: [never-reached]\n',
  );
  taken = createServer();
  takenPort = await new Promise<number>((resolve) =>
    taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
  );
});

afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

function jsonError(stdout: string): { code: string; message: string; exitCode: number } {
  return JSON.parse(stdout.trim().split('\n').at(-1) as string).error;
}

describe('--metrics-port and --metrics-host mistakes', () => {
  it.each([
    ['consume', ['consume', '-e', endpoints, '--sink', 'stdout']],
    ['export', ['export', '-e', endpoints, '--tracker-dump', 'never-read.json']],
  ])('%s: a port in use is a typed error naming --metrics-port, exit 2', async (_, args) => {
    const result = await runCli([...args, '--metrics-port', String(takenPort), '--json']);
    expect(result.code).toBe(2);
    const error = jsonError(result.stdout);
    expect(error.code).toBe('BROKER_CONFIG');
    expect(error.message).toBe(
      `--metrics-port ${takenPort}: 127.0.0.1:${takenPort} is already in use by another program; choose another port (or stop the other program).`,
    );
  });

  it('without --json, the port in use is one line on stderr', async () => {
    const result = await runCli(['consume', '-e', endpoints, '--metrics-port', String(takenPort)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `broker: error: --metrics-port ${takenPort}: 127.0.0.1:${takenPort} is already in use`,
    );
    expect(result.stderr).not.toContain('    at ');
  });

  it.each([
    [['publish', '-e', endpoints, '--metrics-port', '9464'], "unknown option '--metrics-port'"],
    [['view', '-e', endpoints, '--metrics-port', '9464'], "unknown option '--metrics-port'"],
    [
      ['consume', '-e', endpoints, '--metrics-port', '70000'],
      "option '--metrics-port <port>' argument '70000' is invalid. --metrics-port must be a whole number between 0 and 65535, got \"70000\".",
    ],
    [
      ['export', '-e', endpoints, '--metrics-port', 'http'],
      "option '--metrics-port <port>' argument 'http' is invalid. --metrics-port must be a whole number between 0 and 65535, got \"http\".",
    ],
    [
      ['consume', '-e', endpoints, '--metrics-host', '0.0.0.0'],
      '--metrics-host needs --metrics-port <port> (the port to serve /metrics on).',
    ],
  ])('%j is refused: %s (exit 2)', async (args, message) => {
    const result = await runCli([...args, '--json']);
    expect(result.code).toBe(2);
    expect(jsonError(result.stdout).message).toContain(message);
  });

  it('a host it cannot listen on names --metrics-host', async () => {
    const result = await runCli([
      'consume',
      '-e',
      endpoints,
      '--metrics-port',
      '0',
      '--metrics-host',
      'no-such-host.invalid',
      '--json',
    ]);
    expect(result.code).toBe(2);
    expect(jsonError(result.stdout).message).toMatch(
      /^--metrics-host no-such-host\.invalid: cannot listen on no-such-host\.invalid:0 \(ENOTFOUND\); give an address of this machine/,
    );
  });
});
