// Small behaviours of @broker/core that users rely on: defaults, the silent default logger,
// what close() reports, and the tracker-store warning for an out-of-date tracker.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  actionExecuted,
  botUttered,
  createEventBroker,
  FileEventBroker,
  InMemoryEventBroker,
  InMemoryTrackerStore,
  type Logger,
  noopLogger,
  parseEndpoints,
  serialiseEvent,
  sessionStarted,
  slotSet,
  TimeoutError,
  userUttered,
} from '../src/index';

/** A logger that keeps warnings (message and context). */
function warningLogger(): Logger & { warnings: { message: string; context: Record<string, unknown> }[] } {
  const warnings: { message: string; context: Record<string, unknown> }[] = [];
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (a: Record<string, unknown> | string, b?: string) =>
      warnings.push(typeof a === 'string' ? { message: a, context: {} } : { message: b ?? '', context: a }),
    warnings,
  };
}

/** /dev/full accepts open() and fails every write with ENOSPC: events can never be delivered. */
const UNWRITABLE = '/dev/full';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('FileEventBroker default path', () => {
  it('is rasa_event.log in the working directory, as in Rasa', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'file-broker-cwd-')));
    const before = process.cwd();
    let broker: FileEventBroker;
    let fromConfig: FileEventBroker;
    try {
      process.chdir(dir);
      broker = new FileEventBroker();
      fromConfig = FileEventBroker.fromEndpointConfig({ kwargs: {} });
    } finally {
      process.chdir(before);
    }
    try {
      expect(broker.path).toBe(join(dir, 'rasa_event.log'));
      expect(fromConfig.path).toBe(join(dir, 'rasa_event.log'));
      // Resolved when the broker was made: changing directory afterwards does not move the file.
      broker.publish({ sender_id: 'cwd', ...slotSet('a', 1, { timestamp: 1 }) });
      await broker.close();
      await fromConfig.close();
      expect(readFileSync(join(dir, 'rasa_event.log'), 'utf8')).toBe(
        '{"sender_id": "cwd", "event": "slot", "timestamp": 1.0, "name": "a", "value": 1}\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("builders' default timestamp", () => {
  const builders = {
    userUttered: () => userUttered('hi'),
    botUttered: () => botUttered('hello'),
    actionExecuted: () => actionExecuted('action_listen'),
    slotSet: () => slotSet('a', 1),
    sessionStarted: () => sessionStarted(),
  };

  it.each(Object.entries(builders))('%s: float seconds since the epoch, now', (_name, build) => {
    const before = Date.now();
    const { timestamp } = build();
    const after = Date.now();
    // Date.now() truncates to the millisecond; the builders keep the microseconds.
    expect(timestamp).toBeGreaterThanOrEqual((before - 1) / 1000);
    expect(timestamp).toBeLessThan((after + 2) / 1000);
  });

  it.each(Object.entries(builders))(
    '%s: microsecond resolution, so events built within one millisecond differ',
    (_name, build) => {
      const stamps = new Set<number>();
      const start = Date.now();
      while (Date.now() - start < 3) stamps.add(build().timestamp as number);
      const sorted = [...stamps].sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((stamp, i) => stamp - (sorted[i] as number));
      // Whole milliseconds would leave at least 0.001 s between two different timestamps.
      expect(Math.min(...gaps)).toBeLessThan(0.0005);
    },
  );

  it.each(Object.entries(builders))(
    '%s: follows a step of the wall clock (NTP, a resumed VM) instead of the monotonic clock',
    (_name, build) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1716801234567);
      const first = build().timestamp as number;
      expect(first * 1000).toBeGreaterThanOrEqual(1716801234566);
      expect(first * 1000).toBeLessThan(1716801234569);
      vi.useRealTimers();
      // Bounded by wall-clock readings taken around it, so a pause of the process cannot fail it.
      const before = Date.now();
      const stamp = (build().timestamp as number) * 1000;
      const after = Date.now();
      expect(stamp).toBeGreaterThanOrEqual(before - 1);
      expect(stamp).toBeLessThan(after + 2);
    },
  );

  it('writes microsecond timestamps exactly as Python prints the same float', () => {
    const stamps = Array.from({ length: 20 }, () => actionExecuted('action_listen').timestamp as number);
    const written = stamps.map((stamp) => {
      const match = /"timestamp": ([^,]+),/.exec(
        serialiseEvent('s', actionExecuted('x', { timestamp: stamp })),
      );
      return match?.[1] as string;
    });
    const python = execFileSync(
      'python3',
      ['-c', 'import sys\nfor line in sys.stdin: print(repr(float(line)))'],
      { input: stamps.map((stamp) => stamp.toPrecision(17)).join('\n'), encoding: 'utf8' },
    )
      .trimEnd()
      .split('\n');
    expect(written).toEqual(python);
    expect(written.some((text) => /\.\d{4,}$/.test(text))).toBe(true);
  });
});

/** Runs code paths that log warnings and errors, with `logger` or (undefined) the default. */
async function logSomething(logger?: Logger): Promise<void> {
  const withLogger = logger ? { logger } : {};
  parseEndpoints('event_broker:\n  type: file\n  path: "${QUOTED}"\n', { env: {}, ...withLogger });
  await createEventBroker({ type: 'memory', token: 'consumed-key' }, withLogger);
  const unwritable = new FileEventBroker({ path: UNWRITABLE, ...withLogger });
  unwritable.publish({ sender_id: 'x', ...slotSet('a', 1) });
  await unwritable.close({ timeout: 200 }); // write errors, then the close-timeout warning
  const dropping = new InMemoryEventBroker({
    buffer: { maxEvents: 1, overflow: 'drop-oldest' },
    ...withLogger,
  });
  dropping.publish({ sender_id: 'x', ...slotSet('a', 1) });
  dropping.publish({ sender_id: 'x', ...slotSet('a', 2) });
  await dropping.close();
  const store = new InMemoryTrackerStore(withLogger);
  const old = await store.getOrCreateTracker('x');
  const current = (await store.retrieve('x'))!;
  current.update(userUttered('newer'));
  await store.save(current);
  await store.save(old); // the older-tracker warning
}

describe('the default logger', () => {
  it('these paths do log when given a logger (so the next test is not vacuous)', async () => {
    const logger = warningLogger();
    const errors: string[] = [];
    logger.error = (a: Record<string, unknown> | string, b?: string) => {
      errors.push(typeof a === 'string' ? a : (b ?? ''));
    };
    await logSomething(logger);
    const text = [...logger.warnings.map((w) => w.message), ...errors].join('\n');
    expect(text).toMatch(/quoted/);
    expect(text).toMatch(/never reaches an event broker/);
    expect(text).toMatch(/writing to \/dev\/full failed/);
    expect(text).toMatch(/not delivered over its lifetime/);
    expect(text).toMatch(/Dropped|dropped/);
    expect(text).toMatch(/older than the stored one/);
  });

  it('prints nothing but one process warning per kind of delivery failure that nobody hears', async () => {
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const spies = methods.map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const warnings: (Error & { code?: string })[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      noopLogger.warn('direct');
      noopLogger.error({ err: new Error('x') }, 'direct');
      await logSomething();
      // Node writes warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }

    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    // Configuration notes and store warnings stay silent; only delivery failures are written.
    const written = [...stdout.mock.calls, ...stderr.mock.calls].map((c) => String(c[0])).join('');
    expect(written).not.toMatch(/direct|quoted|never reaches|older than the stored/);
    const broker = warnings.filter((w) => w.name === 'BrokerWarning');
    expect(broker.map((w) => [w.code, w.message.split(':')[0]])).toEqual([
      ['BROKER_PUBLISH_FAILED', 'file broker'], // writing to /dev/full failed, once however often retried
      ['BROKER_TIMEOUT', 'file broker'],
      ['BROKER_BUFFER_FULL', 'memory broker'],
    ]);
    expect(broker[0]!.message).toMatch(/writing to \/dev\/full failed/);
    expect(written).toMatch(/\[BROKER_TIMEOUT\] BrokerWarning: file broker: 1 event\(s\) were not confirmed/);
    expect(written).toMatch(/pass a `logger`/);
  });

  it('prints nothing when someone listens for errors and drops', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const unwritable = new FileEventBroker({ path: UNWRITABLE });
      unwritable.on('error', () => {});
      unwritable.publish({ sender_id: 'x', ...slotSet('a', 1) });
      await unwritable.close({ timeout: 200 });
      const dropping = new InMemoryEventBroker({ buffer: { maxEvents: 1, overflow: 'drop-oldest' } });
      dropping.on('undelivered', () => {});
      dropping.publish({ sender_id: 'x', ...slotSet('a', 1) });
      dropping.publish({ sender_id: 'x', ...slotSet('a', 2) });
      await dropping.close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'BrokerWarning')).toEqual([]);
  });
});

describe('close() reports what could not be delivered', () => {
  it('FileEventBroker: events it cannot write come back in the close report', async () => {
    const logger = warningLogger();
    const broker = new FileEventBroker({ path: UNWRITABLE, logger });
    const bodies = [0, 1, 2].map((i) => {
      const event = { sender_id: `s${i}`, ...slotSet('i', i, { timestamp: 1 }) };
      broker.publish(event);
      return serialiseEvent(event.sender_id, slotSet('i', i, { timestamp: 1 }));
    });
    await expect(broker.flush(150)).rejects.toSatisfy((e: unknown) => TimeoutError.isInstance(e));
    const report = await broker.close({ timeout: 150 });
    expect(report.undelivered).toEqual(
      bodies.map((body, i) => ({ senderId: `s${i}`, body, reason: 'close-timeout' })),
    );
    expect(report.confirmed).toBe(0);
    expect(report.stats).toMatchObject({ published: 3, confirmed: 0, pending: 0, dropped: 3 });
    expect(logger.warnings.map((w) => w.message)).toContain(
      'file broker closed; 3 event(s) were not delivered over its lifetime (0 failed, 3 dropped); they are listed in the close report',
    );
  });

  it('an empty report when everything was delivered', async () => {
    const broker = new InMemoryEventBroker();
    broker.publish({ sender_id: 's', ...slotSet('i', 1) });
    const report = await broker.close();
    expect(report).toMatchObject({ confirmed: 1, undelivered: [] });
  });

  it('a timeout longer than a timer can hold waits instead of giving up at once', async () => {
    // setTimeout() turns any delay over 2^31-1 ms into 1 ms; a long timeout must not mean "drop now".
    const broker = new FileEventBroker({ path: UNWRITABLE });
    broker.publish({ sender_id: 's', ...slotSet('i', 1) });
    const outcome = await Promise.race([
      broker.flush(3_000_000_000).then(
        () => 'resolved',
        (error: Error) => `rejected: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300)),
    ]);
    expect(outcome).toBe('still waiting');
    const report = await broker.close({ timeout: 100 });
    expect(report.undelivered).toHaveLength(1);
  });
});

describe('saving a tracker older than the stored one', () => {
  it('warns, naming the conversation and both lengths, and publishes nothing for it', async () => {
    const logger = warningLogger();
    const broker = new InMemoryEventBroker();
    const store = new InMemoryTrackerStore({ eventBroker: broker, logger });
    const stale = await store.getOrCreateTracker('conv-1'); // [action_listen]
    const current = (await store.retrieve('conv-1'))!;
    current.update(userUttered('hi')).update(botUttered('hello'));
    await store.save(current); // stored: 3 events
    await broker.flush();
    const publishedBefore = broker.messages.length;

    await store.save(stale);
    await broker.flush();
    const warning = logger.warnings.find((w) => w.message.includes('older than the stored one'));
    expect(warning).toEqual({
      message:
        'saving a tracker that is older than the stored one; its newer stored events will be overwritten',
      context: expect.objectContaining({ senderId: 'conv-1', trackerEvents: 1, storedEvents: 3 }),
    });
    expect(broker.messages.length).toBe(publishedBefore);
    // Overwritten, as the warning says.
    expect((await store.retrieve('conv-1'))!.events.map((e) => e.event)).toEqual(['action']);
  });

  it('does not warn for a tracker that is up to date or newer', async () => {
    const logger = warningLogger();
    const store = new InMemoryTrackerStore({ logger });
    const tracker = await store.getOrCreateTracker('conv-2');
    await store.save(tracker);
    tracker.update(userUttered('more'));
    await store.save(tracker);
    expect(logger.warnings.filter((w) => w.message.includes('older than'))).toEqual([]);
  });
});
