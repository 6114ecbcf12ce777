import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBroker, loadEndpoints } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARENT_CHECK_MS } from '../../src/cli/shutdown-signals';
import { alive, processTree } from '../helpers/processes';
import { CLI, type CliResult, startProcess } from '../helpers/run-cli';
import {
  deleteRabbit,
  endpointsFile,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireRabbitMq,
} from '../helpers/services';
import { waitFor, wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];
/** An application folder with the package's bin installed, as `npm install @broker/consumers` leaves it. */
const app = mkdtempSync(join(tmpdir(), 'consumers-app-'));

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  writeFileSync(join(app, 'package.json'), '{ "name": "signals-app", "private": true }\n');
  mkdirSync(join(app, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(CLI, join(app, 'node_modules', '.bin', 'broker'));
});

afterAll(async () => {
  for (const names of created) await deleteRabbit(url, names);
});

/** The environment of a shell that is not inside an npm script (the test runner's is). */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries({ ...process.env, NODE_PATH: '' }).filter(
      ([key]) => !key.toLowerCase().startsWith('npm_'),
    ),
  );
}

/** A queue holding `total` events, and the endpoints file that consumes it. */
async function queueWithEvents(total: number): Promise<{ endpoints: string; queue: string }> {
  const names = rabbitNames();
  created.push(names);
  const endpoints = endpointsFile(pikaEndpoint(url, names));
  const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
  for (let i = 0; i < total; i++) broker!.publish(wireBody(`signals-${i % 5}`));
  await broker!.flush(30_000);
  await broker!.close();
  return { endpoints, queue: names.queue };
}

interface Launch {
  how: string;
  command: string;
  args: (endpoints: string) => string[];
}

const consumeArgs = (endpoints: string) => ['consume', '-e', endpoints, '--json'];
const quoted = (endpoints: string) => consumeArgs(endpoints).join(' ');

const BIN: Launch = { how: 'the bin', command: './node_modules/.bin/broker', args: consumeArgs };
const NPX: Launch = { how: 'npx broker', command: 'npx', args: (e) => ['broker', ...consumeArgs(e)] };
const NPM_EXEC: Launch = {
  how: 'npm exec broker',
  command: 'npm',
  args: (e) => ['exec', '--', 'broker', ...consumeArgs(e)],
};
const NPX_EXEC: Launch = {
  how: "npx -c 'exec broker ...'",
  command: 'npx',
  args: (e) => ['-c', `exec broker ${quoted(e)}`],
};
const NPM_EXEC_EXEC: Launch = {
  how: "npm exec -c 'exec broker ...'",
  command: 'npm',
  args: (e) => ['exec', '-c', `exec broker ${quoted(e)}`],
};

type Target = 'top' | 'group';

function cases(list: [Launch, NodeJS.Signals, Target][]) {
  return list.map(([launch, signal, target]) => ({ how: launch.how, launch, signal, target }));
}

/**
 * Starts `broker consume` the way `launch` says, waits until it has consumed some events, sends
 * `signal` to the process that was started (`top`, what a process manager does) or to its
 * whole process group (`group`, what Ctrl-C in a terminal does), and waits until every process
 * of the tree is gone and the output pipes are closed.
 */
async function stopWith(launch: Launch, signal: NodeJS.Signals, target: Target) {
  const total = 200;
  const { endpoints, queue } = await queueWithEvents(total);
  const run = startProcess(launch.command, launch.args(endpoints), {
    cwd: app,
    env: plainEnv(),
    detached: true,
  });
  let tree: number[] = [];
  try {
    await run.waitForOutput('"sender_id"');
    tree = processTree(run.child.pid as number);
    if (target === 'group') process.kill(-(run.child.pid as number), signal);
    else run.child.kill(signal);
    const result = await Promise.race([
      run.done,
      new Promise<CliResult>((_, reject) =>
        setTimeout(() => {
          const left = tree.filter(alive);
          reject(
            new Error(
              `${launch.how}: not finished 20 s after ${signal}; still running: ${left.join(', ') || 'none'}\n${run.output().stderr}`,
            ),
          );
        }, 20_000),
      ),
    ]);
    const summary = JSON.parse(result.stderr.trim().split('\n').at(-1) as string);
    return { result, tree, summary, queue, total };
  } finally {
    for (const pid of tree.filter(alive)) process.kill(pid, 'SIGKILL');
    run.kill();
  }
}

/** The consumer stopped gracefully: nothing in flight, nothing lost, the rest back on the queue. */
async function expectGracefulStop(outcome: Awaited<ReturnType<typeof stopWith>>): Promise<void> {
  const { tree, summary, queue, total, result } = outcome;
  expect(tree.filter(alive), result.stderr).toEqual([]);
  expect(summary).toMatchObject({ command: 'consume', ok: true, reason: 'stopped', inFlight: 0 });
  expect(result.stdout.trim().split('\n')).toHaveLength(summary.handled);
  await waitFor(
    'the events it did not handle back on the queue',
    async () => (await queueDepth(url, queue)) === total - summary.handled,
  );
}

describe('stopping `broker consume` started by a process manager or a terminal', () => {
  it.each(
    cases([
      [BIN, 'SIGTERM', 'top'],
      [BIN, 'SIGINT', 'group'],
      [NPX_EXEC, 'SIGTERM', 'top'],
      [NPX_EXEC, 'SIGINT', 'top'],
      [NPM_EXEC_EXEC, 'SIGTERM', 'top'],
      [NPM_EXEC_EXEC, 'SIGINT', 'group'],
    ]),
  )(
    '$how, $signal to the $target process: exit 0, every process gone',
    async ({ launch, signal, target }) => {
      const outcome = await stopWith(launch, signal, target);
      expect({ code: outcome.result.code, signal: outcome.result.signal }).toEqual({ code: 0, signal: null });
      await expectGracefulStop(outcome);
    },
  );

  // npm runs the command through `sh -c`; the shell dies of the signal (SIGTERM at once, SIGINT
  // after the command) and npm then ends itself with the same signal. The consumer is what we
  // answer for: it stops gracefully and nothing is left running.
  it.each(
    cases([
      [NPX, 'SIGTERM', 'top'],
      [NPX, 'SIGINT', 'group'],
      [NPM_EXEC, 'SIGTERM', 'top'],
      [NPM_EXEC, 'SIGINT', 'group'],
    ]),
  )(
    '$how, $signal to the $target process: the consumer stops gracefully, every process gone',
    async ({ launch, signal, target }) => {
      const outcome = await stopWith(launch, signal, target);
      expect(outcome.result.signal).toBe(signal);
      await expectGracefulStop(outcome);
    },
  );

  it('keeps consuming when a parent that is not npm goes away (nohup broker consume &)', async () => {
    const { endpoints } = await queueWithEvents(1);
    // The shell starts the consumer in the background, says its pid and exits, as `nohup ... &` does.
    const run = startProcess(
      'sh',
      ['-c', `${process.execPath} ${CLI} consume -e ${endpoints} --json </dev/null & echo "consumer pid $!"`],
      { env: plainEnv(), detached: true },
    );
    let consumer: number | undefined;
    try {
      await run.waitForOutput('"sender_id"');
      consumer = Number(/consumer pid (\d+)/.exec(run.output().stdout)?.[1]);
      expect(alive(consumer)).toBe(true);
      // Proving that something does NOT happen: several parent checks pass without a stop.
      await new Promise((resolve) => setTimeout(resolve, PARENT_CHECK_MS * 4));
      expect(alive(consumer)).toBe(true);
      expect(run.output().stderr).not.toContain('stopping');
    } finally {
      if (consumer && alive(consumer)) process.kill(consumer, 'SIGTERM');
      await run.done;
    }
  });
});
