// The proof against a real npm registry: a copy of this repository is versioned as a
// pre-release and published with `pnpm release` to a throwaway Verdaccio; fresh projects outside
// the workspace then install the packages with npm and pnpm, as a user would, and use them
// against the real RabbitMQ and Kafka on Node 20 and Node 24.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from 'broker-scripts/lib/child-env.mjs';
import { node24Binary } from 'broker-scripts/lib/node-24.mjs';
import { copyRepository } from 'broker-scripts/lib/repository-copy.mjs';
import { runCommand } from 'broker-scripts/lib/run-command.mjs';
import { publishablePackages, REPO_ROOT } from 'broker-scripts/lib/workspace-packages.mjs';
import { requireKafka, requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerResources } from '../../harness/broker-resources';
import { type LocalRegistry, startLocalRegistry } from '../../harness/local-registry';
import { type PackageManager, TestProject } from '../../harness/test-project';

const PUBLISHED = ['@broker/consumers', '@broker/core', '@broker/kafka', '@broker/pika'];
const PRE_TAG = 'next';
const APPS = fileURLToPath(new URL('../../apps/', import.meta.url));
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CLIENT = { pika: 'amqplib', kafka: 'kafkajs' } as const;
type Adapter = keyof typeof CLIENT;

const work = mkdtempSync(join(tmpdir(), 'broker-registry-'));
const resources = new BrokerResources();
let registry: LocalRegistry | undefined;
let version = '';
const node = { '20': process.execPath, '24': '' };
let rabbit = { host: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', url: '' };
let kafkaBootstrap = 'localhost:9092';

interface PublishReport {
  senderId: string;
  events: string[];
  confirmed: number;
  undelivered: number;
}

function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

beforeAll(async () => {
  const main = await requireRabbitMq('main');
  rabbit = {
    host: main.host,
    port: main.port,
    username: main.username,
    password: main.password,
    url: main.url,
  };
  kafkaBootstrap = (await requireKafka('single')).plaintext;
  node['24'] = await node24Binary();

  // A copy of the repository, versioned as a pre-release: the working tree keeps its versions.
  const repo = join(work, 'repo');
  await copyRepository(repo);
  writeFileSync(
    join(repo, '.changeset', 'registry-test.md'),
    `---\n${PUBLISHED.map((name) => `"${name}": patch`).join('\n')}\n---\n\nRegistry test release.\n`,
  );
  const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
  await runCommand(pnpm, ['changeset', 'pre', 'enter', PRE_TAG], { cwd: repo, env: childEnv() });
  await runCommand(pnpm, ['run', 'version-packages'], { cwd: repo, env: childEnv(), timeoutMs: 300_000 });
  const versions = new Set(publishablePackages(repo).map((pkg) => String(pkg.manifest.version)));
  expect(versions.size, `one version for all packages, got ${[...versions]}`).toBe(1);
  version = [...versions][0] ?? '';

  // The release script, unchanged, publishes to the local registry with a throwaway user.
  registry = await startLocalRegistry(join(work, 'registry'));
  const userConfig = join(work, 'publisher.npmrc');
  writeFileSync(userConfig, `registry=${registry.url}\n${registry.authKey}:_authToken=${registry.token}\n`);
  await runCommand(pnpm, ['run', 'release'], {
    cwd: repo,
    env: childEnv({ extra: { npm_config_registry: registry.url, npm_config_userconfig: userConfig } }),
    timeoutMs: 900_000,
  });
}, 20 * 60_000);

afterAll(async () => {
  await registry?.stop();
  const problems = await resources.remove(rabbit.url, [kafkaBootstrap]);
  rmSync(work, { recursive: true, force: true });
  if (problems.length > 0) console.warn(problems.join('\n'));
}, 120_000);

describe('the release script', () => {
  it('versions all four packages together as a pre-release', () => {
    expect(version).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+-${PRE_TAG}\\.0$`));
  });

  it.each(PUBLISHED)('published %s at that version, with real ranges on the other packages', async (name) => {
    const response = await fetch(`${registry?.url}${name.replace('/', '%2f')}`);
    expect(response.status).toBe(200);
    const packument = (await response.json()) as {
      'dist-tags': Record<string, string>;
      versions: Record<string, Record<string, Record<string, string> | undefined>>;
    };
    expect(packument['dist-tags'][PRE_TAG]).toBe(version);
    const manifest = packument.versions[version];
    expect(manifest).toBeDefined();
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dependency, range] of Object.entries(manifest?.[field] ?? {})) {
        expect(range, `${field}.${dependency}`).not.toMatch(/^workspace:/);
        if (dependency.startsWith('@broker/')) expect(range, `${field}.${dependency}`).toBe(`^${version}`);
      }
    }
  });
});

const SCENARIOS: { manager: PackageManager; adapter: Adapter }[] = [
  { manager: 'npm', adapter: 'pika' },
  { manager: 'npm', adapter: 'kafka' },
  { manager: 'pnpm', adapter: 'pika' },
  { manager: 'pnpm', adapter: 'kafka' },
];

describe.each(SCENARIOS)('$manager install @broker/$adapter', ({ manager, adapter }) => {
  const other: Adapter = adapter === 'pika' ? 'kafka' : 'pika';
  let project: TestProject;

  /** Broker settings for one run: fresh queue/exchange or topic/group, removed after the test. */
  function brokerSettings(id: string) {
    if (adapter === 'pika') {
      const queue = `release-test-${id}`;
      const exchange = `release-test-x-${id}`;
      resources.rabbit(queue, exchange);
      // Unused queues expire on their own even if the cleanup never runs.
      const queueArguments = { 'x-expires': 600_000 };
      const { host, port, username, password } = rabbit;
      return {
        options: { host, port, username, password, queues: [queue], exchangeName: exchange, queueArguments },
        endpoints: [
          'event_broker:',
          '  type: pika',
          `  url: ${host}`,
          `  port: ${port}`,
          `  username: ${username}`,
          `  password: ${password}`,
          `  queues: [${queue}]`,
          `  exchange_name: ${exchange}`,
          '  queue_arguments:',
          `    x-expires: ${queueArguments['x-expires']}`,
        ],
        consumeArgs: [],
      };
    }
    const topic = `release-test-${id}`;
    const group = `release-test-group-${id}`;
    resources.kafka(topic, group);
    return {
      options: { host: kafkaBootstrap, topic },
      endpoints: ['event_broker:', '  type: kafka', `  url: ${kafkaBootstrap}`, `  topic: ${topic}`],
      consumeArgs: ['--from-beginning', '--group', group],
    };
  }

  beforeAll(async () => {
    project = TestProject.create(join(work, `${manager}-${adapter}`), manager, registry?.url ?? '');
    await project.install(`@broker/${adapter}`);
  }, 10 * 60_000);

  it(`alone brings ${CLIENT[adapter]} and @broker/core, and not ${CLIENT[other]}`, async () => {
    const installed = project.installedPackageNames();
    expect(installed).toContain(`@broker/${adapter}`);
    expect(installed).toContain(CLIENT[adapter]);
    expect(installed).toContain('@broker/core');
    expect(installed).not.toContain(CLIENT[other]);
    expect(installed).not.toContain(`@broker/${other}`);
    expect(await project.resolvedVersion(`@broker/${adapter}`)).toBe(version);
  });

  it(
    'adding @broker/core and @broker/consumers still brings no other broker client',
    async () => {
      await project.install('@broker/core', '@broker/consumers');
      const installed = project.installedPackageNames();
      expect(installed).toContain('@broker/consumers');
      expect(installed).not.toContain(CLIENT[other]);
      expect(installed).not.toContain(`@broker/${other}`);
      expect(installed).not.toContain('pg');
      for (const app of [`publish-with-${adapter}.mjs`, 'publish-from-endpoints.cjs', 'conversation.json']) {
        copyFileSync(join(APPS, app), join(project.dir, app));
      }
    },
    10 * 60_000,
  );

  it.each(['20', '24'] as const)(
    'on Node %s, an ESM and a CJS program publish a tracker that `broker consume` reads back',
    async (major) => {
      const id = `${manager}-${adapter}-${major}-${randomUUID().slice(0, 8)}`;
      const settings = brokerSettings(id);
      const endpoints = project.write(`endpoints-${id}.yml`, `${settings.endpoints.join('\n')}\n`);
      const binary = node[major];

      const esm = lastJsonLine<PublishReport>(
        (
          await project.run(
            binary,
            [`publish-with-${adapter}.mjs`, JSON.stringify(settings.options), `esm-${id}`],
            {
              node: binary,
            },
          )
        ).stdout,
      );
      const cjs = lastJsonLine<PublishReport>(
        (await project.run(binary, ['publish-from-endpoints.cjs', endpoints, `cjs-${id}`], { node: binary }))
          .stdout,
      );
      for (const report of [esm, cjs]) {
        expect(report.undelivered).toBe(0);
        expect(report.confirmed).toBe(report.events.length);
        expect(report.events).toEqual(['action', 'user', 'action', 'bot', 'action', 'user', 'slot', 'bot']);
      }

      // The reference consumer, installed the same way, reads every event back.
      const output = join(project.dir, `consumed-${id}.jsonl`);
      const total = esm.events.length + cjs.events.length;
      const consumer = ['--yes=false', 'broker', 'consume', '-e', endpoints, '--sink', 'jsonl', '-o', output];
      await project.run(
        'npx',
        [...consumer, '--max-events', String(total), '--log-level', 'warn', ...settings.consumeArgs],
        {
          node: binary,
          timeoutMs: 180_000,
        },
      );
      const lines = readFileSync(output, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(total);
      // Rasa's wire format: sender_id first, Python's separators.
      for (const line of lines) expect(line).toMatch(/^\{"sender_id": "/);
      const bodies = lines.map((line) => JSON.parse(line) as { sender_id: string; event: string });
      for (const report of [esm, cjs]) {
        const received = bodies
          .filter((body) => body.sender_id === report.senderId)
          .map((body) => body.event);
        expect(received).toEqual(report.events);
      }
    },
  );

  it.each(['20', '24'] as const)(
    'on Node %s, `npx broker --help`, `--version` and `demo` work',
    async (major) => {
      // --yes=false: never fall back to downloading some other package called "broker".
      const help = await project.run('npx', ['--yes=false', 'broker', '--help'], { node: node[major] });
      expect(help.stdout).toMatch(/^Usage: broker \[options\] \[command\]/);
      expect(help.stdout).toMatch(/consume \[options\]/);
      const shown = await project.run('npx', ['--yes=false', 'broker', '--version'], { node: node[major] });
      expect(shown.stdout.trim()).toBe(version);
      const demo = await project.run('npx', ['--yes=false', 'broker', 'demo'], { node: node[major] });
      expect(demo.stdout).toMatch(
        /(\d+) events published, \1 confirmed by the broker, \1 consumed, 0 undelivered/,
      );
    },
  );

  it(`type-checks a TypeScript program against the installed declarations (node16 ESM and CJS${manager === 'npm' ? ', bundler' : ''})`, async () => {
    const source = readFileSync(join(APPS, `typed-${adapter}.ts`), 'utf8');
    project.write('typed.ts', source); // CommonJS under node16 (the project has no "type": "module")
    project.write('typed.mts', source);
    const compilerOptions = {
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false, // our .d.ts files are checked too
      types: ['node'],
      typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
    };
    const configs = {
      node16: { module: 'node16', moduleResolution: 'node16', files: ['typed.ts', 'typed.mts'] },
      bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['typed.ts'] },
    };
    // Bundler resolution reads the same files under npm and pnpm; once is enough (tsc is slow).
    const modes = manager === 'npm' ? Object.entries(configs) : Object.entries(configs).slice(0, 1);
    for (const [name, { files, ...resolution }] of modes) {
      const config = project.write(
        `tsconfig.${name}.json`,
        JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, files }),
      );
      await project.run(process.execPath, [TSC, '-p', config, '--pretty', 'false']);
    }
  });
});

describe('npm install @broker/consumers (no adapter)', () => {
  let project: TestProject;

  beforeAll(async () => {
    project = TestProject.create(join(work, 'npm-consumers'), 'npm', registry?.url ?? '');
    await project.install('@broker/consumers');
  }, 10 * 60_000);

  it('brings @broker/core and no broker client', () => {
    const installed = project.installedPackageNames();
    expect(installed).toContain('@broker/core');
    for (const absent of ['amqplib', 'kafkajs', 'pg', '@broker/pika', '@broker/kafka']) {
      expect(installed).not.toContain(absent);
    }
  });

  it('runs `npx broker --help` and `demo`, and names the package to install for a RabbitMQ endpoint', async () => {
    const help = await project.run('npx', ['--yes=false', 'broker', '--help']);
    expect(help.stdout).toMatch(/^Usage: broker \[options\] \[command\]/);
    const demo = await project.run('npx', ['--yes=false', 'broker', 'demo', '--no-delay']);
    expect(demo.stdout).toMatch(
      /(\d+) events published, \1 confirmed by the broker, \1 consumed, 0 undelivered/,
    );

    const endpoints = project.write('endpoints.yml', 'event_broker:\n  type: pika\n  url: 127.0.0.1\n');
    const failure = await project.run('npx', ['--yes=false', 'broker', 'consume', '-e', endpoints]).then(
      () => undefined,
      (error: { exitCode?: number; stderr?: string }) => error,
    );
    expect(failure?.exitCode).toBe(3);
    expect(failure?.stderr).toContain('npm install @broker/pika');
  });

  it('serves `broker view` from the installed package alone: the page, its assets and the events of a file broker', async () => {
    const sender = `view-${randomUUID().slice(0, 8)}`;
    const events = project.write(
      'events.log',
      `${JSON.stringify({ sender_id: sender, event: 'user', timestamp: 1716801234, text: 'hello from the registry' })}\n`,
    );
    const endpoints = project.write('view-endpoints.yml', `event_broker:\n  type: file\n  path: ${events}\n`);
    // The bin itself, as the README says a service starts it (npx would stand between us and its signals).
    const cli = join(project.dir, 'node_modules', '@broker', 'consumers', 'dist', 'cli.js');
    const viewer = spawn(process.execPath, [cli, 'view', '-e', endpoints, '--port', '0'], {
      cwd: project.dir,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    viewer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    viewer.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => viewer.on('close', resolve));
    try {
      await expect
        .poll(() => /broker view: (http:\/\/\S+)/.exec(output)?.[1], { timeout: 30_000 })
        .toBeDefined();
      const url = /broker view: (http:\/\/\S+)/.exec(output)![1]!;
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<script src="/assets/app.js" defer></script>');
      for (const [asset, type] of [
        ['assets/app.js', 'text/javascript; charset=utf-8'],
        ['assets/app.css', 'text/css; charset=utf-8'],
      ]) {
        const answer = await fetch(`${url}${asset}`);
        expect([asset, answer.status, answer.headers.get('content-type')]).toEqual([asset, 200, type]);
        expect((await answer.text()).length).toBeGreaterThan(1000);
      }
      await expect
        .poll(
          async () =>
            ((await (await fetch(`${url}api/conversations`)).json()) as { conversations: unknown[] })
              .conversations,
          {
            timeout: 10_000,
          },
        )
        .toEqual([
          expect.objectContaining({
            senderId: sender,
            turns: 1,
            latestUserMessage: 'hello from the registry',
          }),
        ]);
    } finally {
      viewer.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
