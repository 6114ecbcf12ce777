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
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    cwd: options.cwd,
    // The test runner's shim sets NODE_PATH to pnpm's hoisted folder; a user's shell does not.
    env: { ...process.env, NODE_PATH: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
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
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
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
