import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  done: Promise<CliResult>;
  /** Resolves once stderr or stdout contains `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGINT to its process group when detached (Ctrl-C), else to it. */
  interrupt(): void;
  /** SIGKILL to its process group when detached, else to it; for cleaning up after a failure. */
  kill(): void;
}

function requireBuild(): void {
  if (!existsSync(CLI)) {
    throw new Error(
      `${CLI} is missing: build it first with \`npx turbo run build --filter=@broker/consumers...\`.`,
    );
  }
}

/** Starts the built `broker` command line. */
export function startCli(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; cli?: string } = {},
): CliRun {
  requireBuild();
  return startProcess(process.execPath, [options.cli ?? CLI, ...args], {
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    // The test runner's shim sets NODE_PATH to pnpm's hoisted folder; a user's shell does not.
    env: { ...process.env, NODE_PATH: '', ...options.env },
  });
}

/**
 * Starts any program with piped output. With `detached`, it gets a process group of its own,
 * as a command typed in a terminal does, and `interrupt()` sends SIGINT to the whole group,
 * as Ctrl-C does.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { input?: string; env: NodeJS.ProcessEnv; cwd?: string; detached?: boolean },
): CliRun {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  let exited = false;
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    try {
      if (options.detached) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  return {
    child,
    done,
    output: () => ({ stdout, stderr }),
    interrupt: () => signalGroup('SIGINT'),
    kill: () => signalGroup('SIGKILL'),
    waitForOutput: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = () =>
          typeof text === 'string' ? (stdout + stderr).includes(text) : text.test(stdout + stderr);
        if (matches()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out waiting for ${String(text)} in the output:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        void done.then(() => {
          if (!matches()) {
            clearTimeout(timer);
            reject(new Error(`The process exited before printing ${String(text)}:\n${stdout}\n${stderr}`));
          }
        });
      }),
  };
}

/** Runs the built `broker` command line to completion; kills it after `timeoutMs` (its output is kept). */
export async function runCli(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; cli?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const run = startCli(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 40_000);
  const result = await run.done;
  clearTimeout(timer);
  return result;
}

/** The arguments of `broker consume` into the PostgreSQL sink (`schema` of `databaseUrl`), then `extra`. */
export function consumeIntoPostgres(
  endpoints: string,
  store: { databaseUrl: string; schema: string },
  ...extra: string[]
): string[] {
  return [
    'consume',
    '-e',
    endpoints,
    '--sink',
    'postgres',
    '--database-url',
    store.databaseUrl,
    '--schema',
    store.schema,
    ...extra,
  ];
}
