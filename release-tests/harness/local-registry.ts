import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from 'broker-scripts/lib/child-env.mjs';

export interface LocalRegistry {
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** A publish token for a throwaway user. */
  token: string;
  /** The registry's `host:port/` as npmrc auth keys want it: `//127.0.0.1:<port>/`. */
  authKey: string;
  stop(): Promise<void>;
}

const LAUNCHER = fileURLToPath(new URL('./serve-verdaccio.mjs', import.meta.url));

/**
 * Verdaccio with its own storage, users and config under `dir`: only loopback, no uplink (it
 * serves only what is published to it), anyone may read, a logged-in user may publish.
 */
function writeConfig(dir: string): string {
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'max_body_size: 100mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  return config;
}

function waitForPort(child: ChildProcess, output: () => string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`Verdaccio did not start within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    let buffered = '';
    const onData = (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n').find((l) => l.startsWith('{"port":'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve((JSON.parse(line) as { port: number }).port);
    };
    const onExit = (code: number | null) =>
      fail(new Error(`Verdaccio exited (code ${code}) before listening`));
    function fail(error: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}.\n--- its output ---\n${output()}`));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Creates a user through the npm login API and returns its token. */
async function createUser(url: string): Promise<string> {
  const name = 'release-test';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `release-test-${process.pid}-${Date.now()}` }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token) {
    throw new Error(`Verdaccio refused to create user ${name}: ${response.status} ${body.error ?? ''}`);
  }
  return body.token;
}

/**
 * Starts a throwaway Verdaccio (storage, users and config in `dir`) on a free port of
 * 127.0.0.1 and logs a publishing user in. `stop()` ends the process; deleting `dir` is the
 * caller's.
 */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  const config = writeConfig(dir);
  const child = spawn(process.execPath, [LAUNCHER, config], {
    cwd: dir,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    const port = await waitForPort(child, () => output, 60_000);
    const url = `http://127.0.0.1:${port}/`;
    return { url, token: await createUser(url), authKey: `//127.0.0.1:${port}/`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
