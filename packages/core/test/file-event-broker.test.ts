import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BrokerClosedError,
  ConfigError,
  FileEventBroker,
  type FollowedLine,
  followEventFile,
  slotSet,
} from '../src/index';
import { describeEventBrokerContract } from '../src/testing/index';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'file-broker-')), 'rasa_event.log');

/** Reads lines the way a consumer does: by following the file. */
async function readFollowing(path: string, count: number, timeoutMs: number): Promise<FollowedLine[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const lines: FollowedLine[] = [];
  try {
    for await (const line of followEventFile(path, { signal: controller.signal, pollIntervalMs: 20 })) {
      lines.push(line);
      if (lines.length === count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (lines.length < count)
    throw new Error(`read ${lines.length} of ${count} lines from ${path} before the timeout`);
  return lines;
}

describeEventBrokerContract('FileEventBroker', {
  async setup(options) {
    const path = tempFile();
    return {
      broker: new FileEventBroker({ path, ...options }),
      read: async (count, timeoutMs) => (await readFollowing(path, count, timeoutMs)).map((l) => l.body),
      teardown: async () => {},
    };
  },
  async setupFailing() {
    // A path below a plain file can never be opened.
    const notADir = tempFile();
    writeFileSync(notADir, '');
    return { broker: new FileEventBroker({ path: join(notADir, 'events.log') }), teardown: async () => {} };
  },
});

describe('FileEventBroker', () => {
  it('writes one JSON document per line, newlines inside values escaped', async () => {
    const path = tempFile();
    const broker = new FileEventBroker({ path });
    broker.publish({ sender_id: 'a', ...slotSet('note', 'two\nlines', { timestamp: 1 }) });
    await broker.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '{"sender_id": "a", "event": "slot", "timestamp": 1.0, "name": "note", "value": "two\\nlines"}\n',
    );
  });

  it('lets several brokers share one file without interleaving lines, and writes only to their own files', async () => {
    const shared = tempFile();
    const own = tempFile();
    const a = new FileEventBroker({ path: shared });
    const b = new FileEventBroker({ path: shared });
    const c = new FileEventBroker({ path: own });
    for (let i = 0; i < 500; i++) {
      a.publish({ sender_id: 'a', ...slotSet('i', i) });
      b.publish({ sender_id: 'b', ...slotSet('i', i) });
    }
    c.publish({ sender_id: 'c', ...slotSet('i', 0) });
    await Promise.all([a.close(), b.close(), c.close()]);
    const lines = readFileSync(shared, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1000);
    for (const sender of ['a', 'b']) {
      expect(lines.filter((l) => l.sender_id === sender).map((l) => l.value)).toEqual([...Array(500).keys()]);
    }
    expect(readFileSync(own, 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails with a typed error when the file cannot be opened, and refuses later publishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-broker-'));
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const broker = new FileEventBroker({ path: join(notADir, 'events.log') });
    const errors: unknown[] = [];
    broker.on('error', (error) => errors.push(error));
    const undelivered: number[] = [];
    broker.on('undelivered', (events) => undelivered.push(events.length));
    broker.publish({ sender_id: 'a', ...slotSet('i', 1) });
    await expect(broker.connect()).rejects.toSatisfy((e: unknown) => ConfigError.isInstance(e));
    expect(ConfigError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as Error).message).toContain('Cannot open the event file');
    expect(undelivered).toEqual([1]);
    expect(broker.stats()).toMatchObject({ failed: 1, pending: 0 });
    let caught: unknown;
    try {
      broker.publish({ sender_id: 'a', ...slotSet('i', 2) });
    } catch (error) {
      caught = error;
    }
    expect(BrokerClosedError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain('non-retryable');
  });

  it('refuses keys Rasa’s file broker does not take', () => {
    expect(() => FileEventBroker.fromEndpointConfig({ kwargs: { path: 'x.log', url: 'y' } })).toThrow(
      /the file broker takes only `path`; remove `url`/,
    );
  });
});

describe('followEventFile', () => {
  it('reports bad lines without stopping, and starts over when the file is truncated', async () => {
    const path = tempFile();
    writeFileSync(path, '{"sender_id": "a", "event": "restart", "timestamp": 1.0}\nnot json\n');
    const controller = new AbortController();
    const seen: FollowedLine[] = [];
    const following = (async () => {
      for await (const line of followEventFile(path, { signal: controller.signal, pollIntervalMs: 10 })) {
        seen.push(line);
        if (seen.length === 2) {
          truncateSync(path, 0);
          appendFileSync(path, '{"sender_id": "b", "event": "pause", "timestamp": 2.0}\n');
        }
        if (seen.length === 3) controller.abort();
      }
    })();
    await following;
    expect(
      seen.map((l) => (l.ok ? `${l.message.senderId}:${l.message.event.event}` : `error@${l.line}`)),
    ).toEqual(['a:restart', 'error@2', 'b:pause']);
  });

  it('can start at the end and only see what is appended', async () => {
    const path = tempFile();
    writeFileSync(path, '{"sender_id": "old", "event": "restart", "timestamp": 1.0}\n');
    const controller = new AbortController();
    const iterator = followEventFile(path, {
      fromStart: false,
      signal: controller.signal,
      pollIntervalMs: 10,
    });
    const next = iterator.next();
    appendFileSync(path, '{"sender_id": "new", "event": "restart", "timestamp": 1.0}\n');
    const { value } = await next;
    controller.abort();
    expect(value?.ok && value.message.senderId).toBe('new');
  });
});
