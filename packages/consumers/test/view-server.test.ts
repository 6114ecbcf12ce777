import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventMessage } from '@broker/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationHistory, StoredBody } from '../src/view/conversation-history';
import { loadPageAssets } from '../src/view/page-assets';
import { StreamHub } from '../src/view/stream-hub';
import { ViewData } from '../src/view/view-data';
import type { ConversationPage, StreamFrames, Transcript, ViewStatus } from '../src/view/view-model';
import { createViewServer, listen } from '../src/view/view-server';
import { httpGet, openSse, type SseStream } from './helpers/http-client';

const assetsDir = mkdtempSync(join(tmpdir(), 'view-assets-'));
writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>broker view</title>');
writeFileSync(join(assetsDir, 'app.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
writeFileSync(join(assetsDir, 'app.css'), 'body{}');

let timestamp = 1716801234;
function body(senderId: string, event: string, extra: Record<string, unknown> = {}): string {
  timestamp += 1;
  return JSON.stringify({ sender_id: senderId, event, timestamp, ...extra });
}
const user = (senderId: string, text: string, intent = 'greet') =>
  body(senderId, 'user', { text, parse_data: { intent: { name: intent, confidence: 0.9 }, entities: [] } });

interface Viewer {
  url: string;
  data: ViewData;
  hub: StreamHub;
  receive(wire: string): void;
}

const open: { server: Server; hub: StreamHub; streams: SseStream[] }[] = [];
afterEach(async () => {
  for (const { server, hub, streams } of open.splice(0)) {
    for (const stream of streams) stream.close();
    hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startViewer(
  options: {
    token?: string;
    history?: ConversationHistory;
    maxLiveChars?: number;
    replayFrames?: number;
  } = {},
): Promise<Viewer & { stream(path: string, headers?: Record<string, string>): Promise<SseStream> }> {
  const hub = new StreamHub({ replayFrames: options.replayFrames ?? 100 });
  const data = new ViewData({
    hub,
    history: options.history,
    sourceDescription: 'File broker: /tmp/events.log',
    maxLiveChars: options.maxLiveChars ?? 1_000_000,
  });
  const server = createViewServer({ data, hub, assets: loadPageAssets(assetsDir), token: options.token });
  const { port } = await listen(server, '127.0.0.1', 0);
  const entry = { server, hub, streams: [] as SseStream[] };
  open.push(entry);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    data,
    hub,
    receive: (wire) => {
      const { senderId, event } = parseEventMessage(wire);
      data.receive(senderId, event, wire);
    },
    stream: async (path, headers) => {
      const stream = await openSse(`${url}${path}`, headers);
      entry.streams.push(stream);
      return stream;
    },
  };
}

const json = <T>(text: string) => JSON.parse(text) as T;

/** One request line sent as is (node:http would refuse to send a malformed target). */
function rawRequest(base: string, requestLine: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('broker view server', () => {
  it('serves the page and its assets with a CSP without unsafe-inline, gzipped, with ETags', async () => {
    const viewer = await startViewer();
    const page = await httpGet(`${viewer.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const script = await httpGet(`${viewer.url}/assets/app.js`, { 'accept-encoding': 'gzip' });
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(script.transferred).toBeLessThan(script.body.length / 10);
    const again = await httpGet(`${viewer.url}/assets/app.js`, {
      'if-none-match': String(script.headers.etag),
    });
    expect(again.status).toBe(304);
    expect((await httpGet(`${viewer.url}/assets/app.css`)).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await httpGet(`${viewer.url}/elsewhere`)).status).toBe(404);
    expect((await httpGet(`${viewer.url}/`, {}, 'HEAD')).body).toBe('');
    const post = await httpGet(`${viewer.url}/api/status`, {}, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('the list: newest first, filtered by sender id and intent, paginated, with the turns and the latest user message', async () => {
    const viewer = await startViewer();
    for (let i = 0; i < 12; i++) {
      viewer.receive(body(`user-${i}`, 'session_started'));
      viewer.receive(user(`user-${i}`, `hello ${i}`, i % 3 === 0 ? 'book_flight' : 'greet'));
      viewer.receive(body(`user-${i}`, 'bot', { text: 'hi' }));
    }
    viewer.receive(user('user-4', 'second message', 'goodbye'));
    const first = json<ConversationPage>((await httpGet(`${viewer.url}/api/conversations?size=5`)).body);
    expect(first.total).toBe(12);
    expect(first.conversations.map((c) => c.senderId)).toEqual([
      'user-4',
      'user-11',
      'user-10',
      'user-9',
      'user-8',
    ]);
    expect(first.conversations[0]).toMatchObject({
      turns: 2,
      events: 4,
      latestUserMessage: 'second message',
    });
    expect(first.conversations[0]!.intents.sort()).toEqual(['goodbye', 'greet']);
    expect(first.conversations[0]!.firstAt).toBeLessThan(first.conversations[0]!.lastAt!);
    expect(first.intents).toEqual(['book_flight', 'goodbye', 'greet']);
    expect(first.cursor).toBe(`${viewer.hub.bootId}-37`);
    const third = json<ConversationPage>(
      (await httpGet(`${viewer.url}/api/conversations?size=5&page=3`)).body,
    );
    expect(third.conversations.map((c) => c.senderId)).toEqual(['user-1', 'user-0']);
    const flights = json<ConversationPage>(
      (await httpGet(`${viewer.url}/api/conversations?intent=book_flight`)).body,
    );
    expect(flights.conversations.map((c) => c.senderId)).toEqual(['user-9', 'user-6', 'user-3', 'user-0']);
    const byName = json<ConversationPage>(
      (await httpGet(`${viewer.url}/api/conversations?sender=USER-1`)).body,
    );
    expect(byName.conversations.map((c) => c.senderId)).toEqual(['user-11', 'user-10', 'user-1']);
    for (const bad of ['page=0', 'size=501', 'page=x', 'size=1.5']) {
      const answer = await httpGet(`${viewer.url}/api/conversations?${bad}`);
      expect([answer.status, answer.body]).toEqual([400, expect.stringMatching(/must be a whole number/)]);
    }
  });

  it('a transcript: items in arrival order, 404 for an unknown conversation, odd ids percent-encoded', async () => {
    const viewer = await startViewer();
    const id = 'ünïcode / id?#%';
    viewer.receive(user(id, 'hi'));
    viewer.receive(body(id, 'action', { name: 'utter_greet', policy: 'RulePolicy', confidence: 1 }));
    const transcript = json<Transcript>(
      (await httpGet(`${viewer.url}/api/conversations/${encodeURIComponent(id)}`)).body,
    );
    expect(transcript.items.map((i) => [i.seq, i.kind])).toEqual([
      [1, 'user'],
      [2, 'action'],
    ]);
    expect(transcript).toMatchObject({ senderId: id, seq: 2, incomplete: false, historyError: null });
    expect((await httpGet(`${viewer.url}/api/conversations/nobody`)).status).toBe(404);
    expect((await httpGet(`${viewer.url}/api/conversations/%E0%A4%A`)).status).toBe(400);
  });

  it('the stream: status first, every event as an update, its item only for the conversation the page shows', async () => {
    const viewer = await startViewer();
    const all = await viewer.stream('/api/stream');
    const one = await viewer.stream('/api/stream?conversation=alice');
    const [status] = await all.until(1, (e) => e.event === 'status');
    expect(json<ViewStatus>(status!.data).source).toMatchObject({
      state: 'connecting',
      description: 'File broker: /tmp/events.log',
    });
    viewer.receive(user('alice', 'hi'));
    viewer.receive(user('bob', 'hello'));
    const updates = await one.until(2, (e) => e.event === 'update');
    expect(updates.map((e) => e.id)).toEqual([`${viewer.hub.bootId}-1`, `${viewer.hub.bootId}-2`]);
    const [forAlice, forBob] = updates.map((e) => json<StreamFrames['update']>(e.data));
    expect(forAlice).toMatchObject({
      summary: { senderId: 'alice', turns: 1 },
      isNew: true,
      item: { kind: 'user', text: 'hi', seq: 1 },
    });
    expect(forBob).toMatchObject({ summary: { senderId: 'bob' }, isNew: true });
    expect(forBob!.item).toBeUndefined();
    const [plain] = await all.until(1, (e) => e.event === 'update');
    expect(json<StreamFrames['update']>(plain!.data).item).toBeUndefined();
    viewer.data.setSourceState('reconnecting', 'connection refused');
    const statuses = await all.until(2, (e) => e.event === 'status');
    expect(json<ViewStatus>(statuses[1]!.data).source).toMatchObject({
      state: 'reconnecting',
      message: 'connection refused',
    });
  });

  it('resumes after Last-Event-ID or ?after= with exactly what was missed, and resets when that is not kept', async () => {
    const viewer = await startViewer({ replayFrames: 5 });
    for (let i = 0; i < 4; i++) viewer.receive(user('carol', `m${i}`));
    const boot = viewer.hub.bootId;
    const resumed = await viewer.stream('/api/stream', { 'last-event-id': `${boot}-2` });
    const missed = await resumed.until(2, (e) => e.event === 'update');
    expect(missed.map((e) => e.id)).toEqual([`${boot}-3`, `${boot}-4`]);
    const after = await viewer.stream(`/api/stream?after=${boot}-4`);
    viewer.receive(user('carol', 'm4'));
    expect((await after.until(1, (e) => e.event === 'update')).map((e) => e.id)).toEqual([`${boot}-5`]);
    for (let i = 5; i < 12; i++) viewer.receive(user('carol', `m${i}`));
    // Only the last 5 updates are kept: update 3 is gone, and another run's ids mean nothing here.
    for (const from of [`${boot}-2`, 'deadbeef-3', `${boot}-99`, 'garbage']) {
      const stream = await viewer.stream('/api/stream', { 'last-event-id': from });
      const [reset] = await stream.until(1, (e) => e.event === 'reset');
      expect(reset!.id).toBe(`${boot}-12`);
      expect(stream.events.filter((e) => e.event === 'update')).toEqual([]);
    }
  });

  it('history: the list counts stored and live events once, a transcript merges them (identical events stay two)', async () => {
    const listen = body('dave', 'action', { name: 'action_listen' });
    const stored = [user('dave', 'stored one'), listen, listen];
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => (reachedGate = resolve));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let failConversation = false;
    const history: ConversationHistory = {
      description: 'test store',
      async *events(): AsyncIterable<StoredBody> {
        yield { senderId: 'dave', body: stored[0]! };
        reachedGate();
        await gate;
        for (const wire of stored.slice(1)) yield { senderId: 'dave', body: wire };
      },
      conversation: async () => {
        if (failConversation) throw new Error('PostgreSQL is unreachable');
        return stored;
      },
      close: async () => {},
    };
    const viewer = await startViewer({ history });
    const loading = viewer.data.loadHistory(new AbortController().signal);
    await atGate;
    // While the history loads, a sink stores what arrives live too: the first event was read from
    // the store before its live copy came, one of the two identical ones comes live before it is read.
    viewer.receive(stored[0]!);
    viewer.receive(listen);
    openGate();
    await loading;
    expect(viewer.data.status().history).toMatchObject({ state: 'ready', description: 'test store' });
    const live = user('dave', 'live one');
    viewer.receive(live);
    const page = json<ConversationPage>((await httpGet(`${viewer.url}/api/conversations`)).body);
    expect(page.conversations[0]).toMatchObject({
      senderId: 'dave',
      events: 4,
      turns: 2,
      latestUserMessage: 'live one',
    });
    const transcript = json<Transcript>((await httpGet(`${viewer.url}/api/conversations/dave`)).body);
    expect(transcript.items.map((i) => i.raw)).toEqual([...stored, live]);
    expect(transcript.items.map((i) => i.seq)).toEqual([0, 0, 0, 3]);
    failConversation = true;
    const degraded = json<Transcript>((await httpGet(`${viewer.url}/api/conversations/dave`)).body);
    expect(degraded.historyError).toBe('PostgreSQL is unreachable');
    expect(degraded.items.map((i) => i.raw)).toEqual([stored[0], listen, live]);
  });

  it('keeps live events within --max-memory: the least recently active conversations lose theirs first', async () => {
    const viewer = await startViewer({ maxLiveChars: 3000 });
    const big = (senderId: string) => user(senderId, 'x'.repeat(700));
    viewer.receive(big('old'));
    viewer.receive(big('recent'));
    viewer.receive(big('old'));
    viewer.receive(big('newest'));
    const transcript = async (id: string) =>
      json<Transcript>((await httpGet(`${viewer.url}/api/conversations/${id}`)).body);
    expect(await transcript('recent')).toMatchObject({ items: [], incomplete: true });
    expect((await transcript('old')).items).toHaveLength(2);
    expect(await transcript('newest')).toMatchObject({ incomplete: false });
    const page = json<ConversationPage>((await httpGet(`${viewer.url}/api/conversations`)).body);
    expect(page.conversations.map((c) => c.senderId).sort()).toEqual(['newest', 'old', 'recent']);
  });

  it('on loopback without a token: answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const viewer = await startViewer();
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:8080']) {
      expect((await httpGet(`${viewer.url}/api/status`, { host })).status).toBe(200);
    }
    const rebound = await httpGet(`${viewer.url}/api/status`, { host: 'evil.example:8080' });
    expect([rebound.status, rebound.body]).toEqual([
      403,
      expect.stringContaining('answers only requests to 127.0.0.1'),
    ]);
  });

  it('with a token: every request needs it; ?token= sets an HttpOnly cookie and leaves the address', async () => {
    const viewer = await startViewer({ token: 's3cr3t-token' });
    for (const path of ['/', '/assets/app.js', '/api/status', '/api/conversations', '/api/stream']) {
      const answer = await httpGet(`${viewer.url}${path}`);
      expect([path, answer.status]).toEqual([path, 401]);
      expect(answer.body).not.toContain('s3cr3t-token');
    }
    expect((await httpGet(`${viewer.url}/?token=wrong`)).status).toBe(401);
    const first = await httpGet(`${viewer.url}/?token=s3cr3t-token`, { host: 'viewer.example:1' });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/^broker_view_token=s3cr3t-token; HttpOnly; SameSite=Strict; Path=\//);
    expect((await httpGet(`${viewer.url}/`, { cookie: cookie.split(';')[0]! })).status).toBe(200);
    expect((await httpGet(`${viewer.url}/api/status`, { authorization: 'Bearer s3cr3t-token' })).status).toBe(
      200,
    );
    expect((await httpGet(`${viewer.url}/api/status`, { cookie: 'broker_view_token=nope' })).status).toBe(
      401,
    );
    // Nothing a client sends brings the server down: a cookie that is not percent-encoding, a target that is no URL.
    expect((await httpGet(`${viewer.url}/api/status`, { cookie: 'broker_view_token=%E0%A4%A' })).status).toBe(
      401,
    );
    expect((await rawRequest(viewer.url, 'GET http://[ HTTP/1.1')).split('\r\n')[0]).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect((await httpGet(`${viewer.url}/api/status`, { authorization: 'Bearer s3cr3t-token' })).status).toBe(
      200,
    );
  });
});

describe('listen', () => {
  it('a port in use is a ConfigError naming --port', async () => {
    const viewer = await startViewer();
    const port = Number(new URL(viewer.url).port);
    const other = createViewServer({ data: viewer.data, hub: viewer.hub, assets: loadPageAssets(assetsDir) });
    await expect(listen(other, '127.0.0.1', port)).rejects.toMatchObject({
      code: 'BROKER_CONFIG',
      key: 'port',
      message: expect.stringContaining(`Port ${port} on 127.0.0.1 is already in use`),
    });
  });

  it('missing page files are a ConfigError saying the installation is incomplete', () => {
    expect(() => loadPageAssets(join(assetsDir, 'nowhere'))).toThrow(/installation is incomplete/);
  });
});
