import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationPage, Transcript } from '../../src/view/view-model';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueSchema } from '../helpers/database';
import { httpGet } from '../helpers/http-client';
import { consumeIntoPostgres, runCli, startCli } from '../helpers/run-cli';
import { closedPort, endpointsFile } from '../helpers/services';
import { nextTurn, scriptedConversation } from '../helpers/view-script';
import { viewerTracker } from '../helpers/viewer';
import { waitFor } from '../helpers/wire';

const dir = mkdtempSync(join(tmpdir(), 'view-cli-'));
const viewer = viewerTracker();
const schemas: string[] = [];

beforeAll(async () => {
  await requirePostgres();
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

function eventsFile(bodies: string[] = []): { path: string; endpoints: string } {
  const path = join(dir, `events-${randomUUID().slice(0, 8)}.log`);
  writeFileSync(path, bodies.map((b) => `${b}\n`).join(''));
  return { path, endpoints: endpointsFile({ type: 'file', path }) };
}

describe('broker view command line', () => {
  it('an endpoints file without an event broker: exit 2, naming the file and the fix', async () => {
    const endpoints = join(dir, 'no-broker.yml');
    writeFileSync(endpoints, 'tracker_store:\n  type: sql\n');
    const result = await runCli(['view', '-e', endpoints, '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `broker: error: ${endpoints} has no event_broker section: there is nothing to consume. Add one (type: pika or kafka, url, queues or topic).\n`,
    );
  });

  it('a port in use: exit 2, saying which and what to do', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const result = await runCli(['view', '-e', eventsFile().endpoints, '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('--port 0 for any free port');
    } finally {
      busy.close();
    }
  });

  it('beyond loopback only with a token, checked on every request; the printed URL carries none', async () => {
    const { endpoints } = eventsFile();
    const refused = await runCli(['view', '-e', endpoints, '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--host 0.0.0.0 is reachable from other machines: give --token <secret>',
    );
    const token = `t-${randomUUID()}`;
    const view = await viewer(['-e', endpoints, '--host', '0.0.0.0'], { BROKER_VIEW_TOKEN: token });
    expect(view.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(view.run.output().stdout).toBe(
      `broker view: ${view.url} (open it with ?token=<your token> once)\n`,
    );
    expect(view.run.output().stdout + view.run.output().stderr).not.toContain(token);
    expect((await httpGet(`${view.url}api/status`)).status).toBe(401);
    expect((await httpGet(`${view.url}api/status`, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await httpGet(`${view.url}?token=${token}`)).status).toBe(303);
    expect(await view.stop()).toBe(0);
  });

  it('--json: the URL as a JSON line', async () => {
    const run = startCli(['view', '-e', eventsFile().endpoints, '--port', '0', '--json']);
    try {
      await run.waitForOutput(/^\{.*\}\n/m);
    } finally {
      run.interrupt();
    }
    expect((await run.done).code).toBe(0);
    expect(JSON.parse(run.output().stdout.split('\n')[0]!)).toEqual({
      command: 'view',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      port: expect.any(Number),
    });
  });

  it('history from the PostgreSQL store of broker consume, merged with what arrives live', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const sender = `history-${randomUUID().slice(0, 8)}`;
    const script = scriptedConversation(sender, 1716801234);
    const stored = eventsFile(script);
    const consumed = await runCli(
      consumeIntoPostgres(
        stored.endpoints,
        { databaseUrl: DATABASE_URL, schema },
        '--from-beginning',
        '--max-events',
        String(script.length),
      ),
    );
    expect(consumed.code).toBe(0);
    // The viewer watches another (empty) file: everything it lists comes from the store.
    const live = eventsFile();
    const view = await viewer(['-e', live.endpoints, '--database-url', '--schema', schema], { DATABASE_URL });
    await waitFor('the history', async () => (await view.status()).history.state === 'ready');
    expect((await view.status()).history.description).toBe(
      `PostgreSQL postgres://postgres@127.0.0.1:5432/test (schema ${schema})`,
    );
    const list = JSON.parse((await httpGet(`${view.url}api/conversations`)).body) as ConversationPage;
    expect(list.conversations).toEqual([
      expect.objectContaining({ senderId: sender, events: script.length, turns: 2 }),
    ]);
    const more = nextTurn(sender, 1716801300);
    appendFileSync(live.path, more.map((b) => `${b}\n`).join(''));
    await waitFor('the live events', async () => {
      const transcript = JSON.parse(
        (await httpGet(`${view.url}api/conversations/${sender}`)).body,
      ) as Transcript;
      return transcript.items.length === script.length + more.length;
    });
    const transcript = JSON.parse(
      (await httpGet(`${view.url}api/conversations/${sender}`)).body,
    ) as Transcript;
    expect(transcript.items.map((item) => item.raw)).toEqual([...script, ...more]);
    expect(await view.stop()).toBe(0);
  });

  it('a database that cannot be reached: exit 4, the password never printed', async () => {
    const port = (await closedPort()) as number;
    const result = await runCli([
      'view',
      '-e',
      eventsFile().endpoints,
      '--port',
      '0',
      '--database-url',
      `postgres://viewer:Pg-s3cret-41@127.0.0.1:${port}/test`,
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `PostgreSQL at postgres://viewer:***@127.0.0.1:${port}/test is unreachable`,
    );
    expect(result.stderr).not.toContain('Pg-s3cret-41');
  });
});
