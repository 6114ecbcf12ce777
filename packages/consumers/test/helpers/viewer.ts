import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import type { ConversationPage, ViewStatus } from '../../src/view/view-model';
import { httpGet } from './http-client';
import { type CliRun, startCli } from './run-cli';
import { waitFor } from './wire';

export interface RunningViewer {
  run: CliRun;
  url: string;
  status(): Promise<ViewStatus>;
  /** Waits until the source consumes (RabbitMQ: its queue is bound; Kafka: the group joined). */
  live(timeoutMs?: number): Promise<void>;
  /** SIGINT, then waits for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built `broker view` (`--port 0` unless `args` says otherwise) and reads its URL. */
export async function startViewer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningViewer> {
  const run = startCli(['view', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], { env });
  try {
    await run.waitForOutput(/broker view: http:\/\/\S+/, 30_000);
  } catch (error) {
    run.kill();
    throw error;
  }
  const url = /broker view: (http:\/\/\S+)/.exec(run.output().stdout)![1]!;
  const status = async () => JSON.parse((await httpGet(`${url}api/status`)).body) as ViewStatus;
  return {
    run,
    url,
    status,
    live: (timeoutMs = 30_000) =>
      waitFor('the viewer to consume', async () => (await status()).source.state === 'live', timeoutMs),
    stop: async () => {
      run.interrupt();
      const result = await run.done;
      return result.code;
    },
  };
}

/**
 * `broker view` processes started by a test file, killed after it (each test stops its own
 * gracefully; this is for a test that failed half-way).
 */
export function viewerTracker(): (args: string[], env?: NodeJS.ProcessEnv) => Promise<RunningViewer> {
  const started: RunningViewer[] = [];
  afterAll(() => {
    for (const viewer of started) viewer.run.kill();
  });
  return async (args, env) => {
    const viewer = await startViewer(args, env);
    started.push(viewer);
    return viewer;
  };
}

/**
 * Publishes a probe event until the viewer lists it: Kafka's "latest offset" is fixed when the
 * new group first fetches, after it joined, so events published just before that are not read.
 */
export async function untilReading(
  view: RunningViewer,
  publish: (bodies: string[]) => Promise<void>,
): Promise<void> {
  const probe = `probe-${randomUUID().slice(0, 8)}`;
  await waitFor(
    'the viewer to read what is published',
    async () => {
      await publish([JSON.stringify({ sender_id: probe, event: 'session_started', timestamp: 1 })]);
      const page = JSON.parse(
        (await httpGet(`${view.url}api/conversations?sender=${probe}`)).body,
      ) as ConversationPage;
      return page.total > 0;
    },
    60_000,
  );
}
