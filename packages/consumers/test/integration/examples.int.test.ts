// The examples in examples/*, run with the commands their READMEs give (read from the READMEs,
// so a command that stops working there fails here): publish a Rasa turn as documented, start
// the example, wait for the eight events it prints, Ctrl-C (SIGINT to its process group), and
// expect exit status 0. Each run gets a queue, exchange, topic and consumer group of its own.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { removeRabbitResources } from 'broker-test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliRun, startProcess } from '../helpers/run-cli';
import { deleteKafkaTopics, loadServices, requireKafka, requireRabbitMq } from '../helpers/services';
import { rasaTurnLines } from '../helpers/wire';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'consumers-examples-'));
const events = rasaTurnLines().map((line) => JSON.parse(line) as Record<string, unknown>);
const running = new Set<CliRun>();
const topics: string[] = [];
const queues: string[] = [];
const exchanges: string[] = [];
let rabbitUrl: string;

/** The commands of a README's ```sh blocks, one per entry, with `\` continuations joined. */
function readmeCommands(example: string): string[] {
  const text = readFileSync(join(root, 'examples', example, 'README.md'), 'utf8');
  const commands: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = (block[1] as string).replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) if (line.trim() !== '') commands.push(line.trim());
  }
  return commands;
}

function only(commands: string[], test: (command: string) => boolean, what: string): string {
  const found = commands.filter(test);
  if (found.length !== 1)
    throw new Error(`Expected one ${what} command in the README, found ${found.length}.`);
  return found[0] as string;
}

/** `A=1 B=$HOME/x cmd args...` as environment and argv (the READMEs use no quotes there). */
function parseCommand(command: string): { env: Record<string, string>; argv: string[] } {
  const words = command.split(/\s+/).map((w) => w.replaceAll('$HOME', process.env.HOME ?? ''));
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0] as string)) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name as string] = value.join('=');
  }
  return { env, argv: words };
}

/** A user's shell environment: without what npm, pnpm and vitest add to this process's. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') || lower.startsWith('pnpm_') || key.startsWith('VITEST')) continue;
    if (['NODE_PATH', 'NODE_OPTIONS', 'NODE_ENV', 'INIT_CWD', 'FORCE_COLOR', 'TEST'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

/**
 * Runs the README's `printf ... > /tmp/x.yml` with each shared (default) name replaced by ours,
 * so nothing reaches queues, exchanges or topics others use; returns the file.
 */
function writeEndpoints(printf: string, ownNames: Record<string, string>): string {
  const documented = /> (\S+\.yml)$/.exec(printf)?.[1];
  if (!documented) throw new Error(`No endpoints file in: ${printf}`);
  const file = join(work, `endpoints-${randomUUID().slice(0, 8)}.yml`);
  let command = printf.replace(documented, file);
  for (const [shared, own] of Object.entries(ownNames)) {
    // A README that stopped naming a setting would leave it at its shared default, unseen.
    expect(command).toContain(shared);
    command = command.replaceAll(shared, own);
  }
  execFileSync('bash', ['-c', command], { cwd: root });
  return file;
}

/** Runs the README's `node packages/consumers/dist/cli.js publish --endpoints <file> <events>` on `endpoints`. */
function publish(command: string, endpoints: string): void {
  const { env, argv } = parseCommand(command);
  const at = argv.indexOf('--endpoints');
  expect(at).toBeGreaterThan(0);
  argv[at + 1] = endpoints;
  expect(join(root, argv[1] as string)).toBe(CLI);
  execFileSync(argv[0] as string, argv.slice(1), { cwd: root, env: { ...userEnv(), ...env }, stdio: 'pipe' });
}

function start(command: string, overrides: Record<string, string>): CliRun {
  const { env, argv } = parseCommand(command);
  const run = startProcess(argv[0] as string, argv.slice(1), {
    cwd: root,
    env: { ...userEnv(), ...env, ...overrides },
    detached: true,
  });
  running.add(run);
  void run.done.then(() => running.delete(run));
  return run;
}

/** Ctrl-C once it printed `expected`; resolves with what it printed after it exited. */
async function interruptAfter(
  run: CliRun,
  expected: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  await run.waitForOutput(expected, 60_000);
  run.interrupt();
  const result = await run.done;
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  rabbitUrl = (await requireRabbitMq('main')).url;
  await requireKafka('single');
});

afterEach(() => {
  for (const run of running) run.kill();
});

afterAll(async () => {
  await deleteKafkaTopics(topics);
  // The example's source declares a dead-letter queue next to the one it consumes: removed too.
  await removeRabbitResources(rabbitUrl, { queues, exchanges });
});

describe('examples/pika-consumer', () => {
  const commands = readmeCommands('pika-consumer');

  it('prints every event of a turn published as the README shows, and exits 0 on Ctrl-C', async () => {
    const queue = `examples-pika-${randomUUID().slice(0, 8)}`;
    const exchange = `${queue}-x`;
    queues.push(queue);
    exchanges.push(exchange);
    const run = start(
      only(commands, (c) => c.includes('npm --prefix examples/pika-consumer start'), 'start'),
      { RABBITMQ_QUEUE: queue, RABBITMQ_EXCHANGE: exchange },
    );
    const endpoints = writeEndpoints(
      only(commands, (c) => c.startsWith('printf '), 'printf'),
      {
        rasa_core_events: queue,
        'rasa-exchange': exchange,
      },
    );
    publish(
      only(commands, (c) => c.startsWith('node packages/consumers/dist/cli.js publish'), 'publish'),
      endpoints,
    );
    const expected = events.map((event) => `Received event ${JSON.stringify(event)}\n`).join('');
    const result = await interruptAfter(run, expected);
    expect(result.stderr).toBe('');
    expect(
      result.stdout
        .split('\n')
        .filter((l) => l.startsWith('Received event'))
        .join('\n'),
    ).toBe(expected.trimEnd());
    expect(result.code).toBe(0);
  });
});

describe('examples/kafka-consumer', () => {
  const commands = readmeCommands('kafka-consumer');
  const topic = `examples-kafka-${randomUUID().slice(0, 8)}`;
  topics.push(topic, `${topic}.dead-letter`);
  const starts = commands.filter((c) => c.includes('npm --prefix examples/kafka-consumer'));
  // console.log(value) of each event, as kafka-python's print(message.value).
  const expected = events.map((event) => `${format(event)}\n`).join('');

  beforeAll(() => {
    const endpoints = writeEndpoints(
      only(commands, (c) => c.startsWith('printf '), 'printf'),
      {
        rasa_core_events: topic,
      },
    );
    publish(
      only(commands, (c) => c.startsWith('node packages/consumers/dist/cli.js publish'), 'publish'),
      endpoints,
    );
  });

  it('documents the three variants of the Rasa documentation: plain, SASL and SSL', () => {
    expect(starts.map((c) => /run (\S+)$/.exec(c)?.[1] ?? 'start')).toEqual([
      'start',
      'start:sasl',
      'start:ssl',
    ]);
    const tls = loadServices().tls;
    const ssl = parseCommand(starts[2] as string).env;
    expect([ssl.KAFKA_SSL_CAFILE, ssl.KAFKA_SSL_CERTFILE, ssl.KAFKA_SSL_KEYFILE]).toEqual([
      tls.ca,
      tls.clientCert,
      tls.clientKey,
    ]);
    for (const file of Object.values(ssl).filter((v) => v.endsWith('.pem')))
      expect(existsSync(file)).toBe(true);
  });

  for (const [i, variant] of ['start', 'start:sasl', 'start:ssl'].entries()) {
    it(`${variant}: prints the turn from the beginning of the topic, and exits 0 on Ctrl-C`, async () => {
      const command = starts[i];
      expect(command).toBeDefined();
      const run = start(command as string, {
        KAFKA_TOPIC: topic,
        KAFKA_GROUP_ID: `examples-${variant.replace(':', '-')}-${randomUUID().slice(0, 8)}`,
      });
      const result = await interruptAfter(run, expected);
      expect(result.stderr).toBe('');
      expect(result.stdout.endsWith(expected)).toBe(true);
      expect(result.code).toBe(0);
    });
  }
});
