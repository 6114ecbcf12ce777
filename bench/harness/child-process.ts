import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const TASK_VARIABLE = 'BROKER_BENCH_TASK';

/**
 * The one way benchmarks run TypeScript on Node 20: tsx's loader, registered with `--import`.
 * Every measured run gets a fresh process started this way, so its RSS, heap, JIT state and
 * event loop belong to that run alone.
 */
export const TSX_LOADER = import.meta.resolve('tsx');

export interface ChildOptions {
  /** Extra Node flags, e.g. `--expose-gc`. */
  nodeFlags?: string[];
  /**
   * `inherit` (default): the child prints to the parent's stdout. `null`: the child's stdout is
   * /dev/null, so `process.stdout` there is what a command line writing to a file gets.
   */
  stdout?: 'inherit' | 'null';
}

/**
 * Runs `script` in a new Node process with `task` and resolves with the result it reports
 * through `reportToParent`. With `BENCH_CPU_PROF=<dir>` every child writes a V8 CPU profile
 * there (`node --cpu-prof`), for finding hot spots.
 */
export function runInChild<T>(script: string, task: unknown, options: ChildOptions = {}): Promise<T> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
  if (profileDir) mkdirSync(resolve(profileDir), { recursive: true });
  return new Promise((resolvePromise, reject) => {
    const child = fork(script, [], {
      execArgv: ['--import', TSX_LOADER, ...profiling, ...(options.nodeFlags ?? [])],
      env: { ...process.env, [TASK_VARIABLE]: JSON.stringify(task) },
      stdio: ['ignore', options.stdout === 'null' ? 'ignore' : 'inherit', 'inherit', 'ipc'],
    });
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.on('message', (message) => {
      result = message as typeof result;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result?.ok) resolvePromise(result.value);
      else if (result) reject(new Error(result.error));
      else
        reject(new Error(`benchmark child ${script} exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}

/** In a child started by `runInChild`: the task it was given; undefined in the parent. */
export function childTask<T>(): T | undefined {
  const raw = process.env[TASK_VARIABLE];
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

/**
 * Runs the child's work, sends its result (or its error) to the parent and exits, so that a
 * connection left open cannot keep the process alive.
 */
export async function reportToParent<T>(work: () => Promise<T>): Promise<never> {
  let message: unknown;
  try {
    message = { ok: true, value: await work() };
  } catch (error) {
    message = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  await new Promise<void>((done) => process.send!(message, () => done()));
  process.exit(0);
}
