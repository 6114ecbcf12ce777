import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/run-cli';
import {
  deleteKafkaTopics,
  deleteRabbit,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { coreFixture, wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];
const topics: string[] = [];
const turnFile = coreFixture('wire/rasa-3x-turn.jsonl');
const trackerDump = coreFixture('rasa/trackers/tracker_moodbot.json');

/** A port nothing listens on: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts connections and never says a word, as a wrong service or a firewall can. */
let silent: Server;
const silentSockets: Socket[] = [];

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  for (const names of created) await deleteRabbit(url, names);
  await deleteKafkaTopics(topics);
});

function rabbitAt(brokerUrl: string, extra: Record<string, unknown> = {}): string {
  const names = rabbitNames();
  created.push(names);
  return endpointsFile({ ...pikaEndpoint(brokerUrl, names), ...extra });
}

function kafkaAt(address: string): string {
  const topic = `consumers-connect-${randomUUID().slice(0, 8)}`;
  topics.push(topic, `${topic}.dead-letter`);
  return endpointsFile({ ...kafkaEndpoint(topic), url: address });
}

const TIMED_OUT = /^broker: error: Could not connect to (.+) within 2 s \(--connect-timeout\)/m;

describe('--connect-timeout', () => {
  it('publish to a port nobody listens on gives up by itself after the default 30 s: exit 4, naming the broker', async () => {
    const port = await closedPort();
    const result = await runCli(['publish', '-e', rabbitAt(`amqp://127.0.0.1:${port}`), turnFile], {
      timeoutMs: 50_000,
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(
      `broker: error: Could not connect to RabbitMQ at amqp://127.0.0.1:${port} within 30 s (--connect-timeout)`,
    );
  });

  /** A broker address, the endpoints file pointing at it, and how the message names it. */
  const unreachable: [string, () => Promise<{ endpoints: string; broker: string }>][] = [
    [
      'RabbitMQ refusing connections',
      async () => {
        const port = await closedPort();
        return {
          endpoints: rabbitAt(`amqp://127.0.0.1:${port}`),
          broker: `RabbitMQ at amqp://127.0.0.1:${port}`,
        };
      },
    ],
    [
      'RabbitMQ accepting connections and never answering',
      async () => {
        const port = (silent.address() as AddressInfo).port;
        return {
          endpoints: rabbitAt(`amqp://127.0.0.1:${port}`),
          broker: `RabbitMQ at amqp://127.0.0.1:${port}`,
        };
      },
    ],
    [
      'Kafka refusing connections',
      async () => {
        const port = await closedPort();
        return { endpoints: kafkaAt(`127.0.0.1:${port}`), broker: `Kafka at 127.0.0.1:${port}` };
      },
    ],
  ];

  it.each(unreachable)('publish, export and consume end with exit 4 once it passes: %s', async (_, at) => {
    const { endpoints, broker } = await at();
    for (const command of [
      ['publish', '-e', endpoints, turnFile],
      ['export', '-e', endpoints, '--tracker-dump', trackerDump],
      ['consume', '-e', endpoints],
    ]) {
      const result = await runCli([...command, '--connect-timeout', '2s'], { timeoutMs: 20_000 });
      const outcome = { command: command[0], code: result.code, broker: TIMED_OUT.exec(result.stderr)?.[1] };
      expect(outcome, result.stderr).toEqual({ command: command[0], code: 4, broker });
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('names the broker with its password censored, with --json too', async () => {
    const port = await closedPort();
    const names = rabbitNames();
    created.push(names);
    // The password in the URL, as endpoints files may have it.
    const endpoints = endpointsFile({
      type: 'pika',
      url: `amqp://guest:s3cret-pw@127.0.0.1:${port}`,
      queues: [names.queue],
      exchange_name: names.exchange,
    });
    const result = await runCli(['publish', '-e', endpoints, turnFile, '--connect-timeout', '2s', '--json']);
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
    expect(JSON.parse(result.stdout.trim())).toEqual({
      ok: false,
      error: {
        code: 'BROKER_CONNECTION',
        message: `Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:${port} within 2 s (--connect-timeout): check that it is running and that the endpoints file names the right host and port.`,
        exitCode: 4,
      },
    });
  });

  it('does not wait for rejected credentials: their own error at once', async () => {
    const endpoints = rabbitAt(url, { password: 'wrong-password' });
    const result = await runCli(['publish', '-e', endpoints, turnFile, '--connect-timeout', '1m'], {
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/refused the login/);
    expect(result.stderr).not.toContain('--connect-timeout');
  });

  it('lets publish and consume run normally once connected', async () => {
    const endpoints = rabbitAt(url);
    const published = await runCli(['publish', '-e', endpoints, '-', '--connect-timeout', '5s'], {
      input: `${wireBody('connected')}\n`,
    });
    expect(published.code, published.stderr).toBe(0);
    const consumed = await runCli([
      'consume',
      '-e',
      endpoints,
      '--connect-timeout',
      '5s',
      '--max-events',
      '1',
    ]);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(JSON.parse(consumed.stdout.trim()).sender_id).toBe('connected');
  });

  it('consume without it keeps waiting for the broker, as before, until stopped', async () => {
    const port = await closedPort();
    const run = startCli(['consume', '-e', rabbitAt(`amqp://127.0.0.1:${port}`)]);
    try {
      await run.waitForOutput(/\(attempt 3\)/);
      expect(run.child.exitCode).toBe(null);
      run.child.kill('SIGTERM');
      expect((await run.done).code).toBe(0);
    } finally {
      run.kill();
    }
  });
});
