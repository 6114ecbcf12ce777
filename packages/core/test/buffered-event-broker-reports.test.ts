import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  BrokerClosedError,
  type BrokerState,
  ConfigError,
  ConnectionError,
  InMemoryEventBroker,
  noopLogger,
  PublishError,
  slotSet,
  type UndeliveredEvent,
} from '../src/index';
import { ManualBroker } from './helpers/manual-broker';

const event = (n: number) => ({ sender_id: `s${n}`, ...slotSet('n', n, { timestamp: 1 }) });
const values = (events: UndeliveredEvent[]) => events.map((e) => [JSON.parse(e.body).value, e.reason]);

/** Process warnings of type BrokerWarning emitted while the test runs. */
function captureWarnings() {
  const warnings: (Error & { code?: string; detail?: string })[] = [];
  const listener = (warning: Error) => {
    if (warning.name === 'BrokerWarning') warnings.push(warning);
  };
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', listener);
  });
  afterEach(() => {
    process.off('warning', listener);
  });
  // process.emitWarning hands the warning to listeners on the next tick.
  const settled = async () => {
    await new Promise((resolve) => process.nextTick(resolve));
    return warnings;
  };
  return settled;
}

describe('the close report lists every event not delivered over the broker’s life', () => {
  it('failed and dropped events from before the close, then what the close timeout left, oldest first', async () => {
    const broker = new ManualBroker({
      logger: noopLogger,
      buffer: { maxEvents: 3, overflow: 'drop-oldest' },
    });
    for (let n = 0; n < 3; n++) broker.publish(event(n));
    const first = broker.takeAll();
    broker.confirm([first[0]!]);
    broker.failInFlight([first[1]!], new PublishError('refused by the broker'));
    broker.publish(event(3));
    broker.publish(event(4));
    broker.publish(event(5)); // 3 pending (n = 2 in flight, 3, 4): the oldest queued, n = 3, is dropped
    const second = broker.takeAll(); // n = 4, 5
    broker.confirm([first[2]!, second[0]!]);
    const report = await broker.close({ timeout: 20 });
    expect(values(report.undelivered)).toEqual([
      [1, 'failed'],
      [3, 'dropped'],
      [5, 'close-timeout'],
    ]);
    expect(report.undeliveredOmitted).toBe(0);
    expect(report.stats).toMatchObject({ published: 6, confirmed: 3, failed: 1, dropped: 2, pending: 0 });
    expect(report.undelivered.length + report.undeliveredOmitted).toBe(
      report.stats.failed + report.stats.dropped,
    );
  });

  it('lists the events a non-retryable failure failed, not only what was pending at close', async () => {
    const broker = new ManualBroker({ logger: noopLogger });
    for (let n = 0; n < 3; n++) broker.publish(event(n));
    broker.failNow(new AuthenticationError('bad password'));
    const report = await broker.close();
    expect(values(report.undelivered)).toEqual([
      [0, 'failed'],
      [1, 'failed'],
      [2, 'failed'],
    ]);
    expect(report.stats).toMatchObject({ published: 3, failed: 3, confirmed: 0 });
  });

  it('keeps at most as many bodies as a small buffer holds, and counts the rest', async () => {
    const broker = new ManualBroker({ logger: noopLogger, buffer: { maxEvents: 2 } });
    for (let round = 0; round < 3; round++) {
      broker.publish(event(2 * round));
      broker.publish(event(2 * round + 1));
      broker.failInFlight(broker.takeAll(), new PublishError('refused'));
    }
    const report = await broker.close();
    expect(values(report.undelivered)).toEqual([
      [0, 'failed'],
      [1, 'failed'],
    ]);
    expect(report.undeliveredOmitted).toBe(4);
    expect(report.stats.failed).toBe(6);
  });

  it('keeps at most 1000 bodies of earlier losses, so a long outage does not keep what the buffer dropped; lists all left at close', async () => {
    const broker = new ManualBroker({
      logger: noopLogger,
      buffer: { maxEvents: 10, overflow: 'drop-oldest' },
    });
    for (let n = 0; n < 1020; n++) broker.publish(event(n));
    const large = new ManualBroker({ logger: noopLogger });
    for (let n = 0; n < 1005; n++) large.publish(event(n));
    large.failInFlight(large.takeAll(), new PublishError('refused'));
    const report = await large.close();
    expect(report.undelivered).toHaveLength(1000);
    expect(report.undeliveredOmitted).toBe(5);
    expect(JSON.parse(report.undelivered.at(-1)!.body).value).toBe(999);
    // Of 1010 dropped, the first 10 (the buffer's maxEvents) are kept; all 10 left at close are listed.
    const dropped = await broker.close({ timeout: 0 });
    expect(dropped.undeliveredOmitted).toBe(1000);
    expect(values(dropped.undelivered)).toEqual([
      ...Array.from({ length: 10 }, (_, n) => [n, 'dropped']),
      ...Array.from({ length: 10 }, (_, n) => [1010 + n, 'close-timeout']),
    ]);
  });
});

describe('a broker that failed', () => {
  it('for good refuses publishes with BrokerClosedError, and connect() rejects at once instead of waiting', async () => {
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(0));
    broker.failNow(new AuthenticationError('bad password'));
    expect(() => broker.publish(event(1))).toThrow(BrokerClosedError);
    await expect(broker.connect()).rejects.toSatisfy((e: unknown) => AuthenticationError.isInstance(e));
    expect(broker.starts).toBe(1);
  });

  it('with a retryable error starts again at the next publish', async () => {
    const broker = new ManualBroker({ logger: noopLogger });
    const states: [BrokerState, BrokerState][] = [];
    broker.on('state', (state, previous) => states.push([state, previous]));
    broker.publish(event(0));
    broker.failNow(new ConnectionError('gave up after 20 attempts'));
    expect(broker.state).toBe('failed');
    broker.publish(event(1));
    expect(broker.starts).toBe(2);
    expect(states).toEqual([
      ['connecting', 'idle'],
      ['failed', 'connecting'],
      ['idle', 'failed'],
      ['connecting', 'idle'],
    ]);
    broker.moveTo('ready');
    broker.confirm(broker.takeAll());
    const report = await broker.close();
    expect(values(report.undelivered)).toEqual([[0, 'failed']]);
    expect(report.stats).toMatchObject({ published: 2, confirmed: 1, failed: 1 });
  });
});

describe('isReady()', () => {
  it('is false while the broker is blocked, true again once it is ready', () => {
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(0));
    broker.moveTo('ready');
    expect(broker.isReady()).toBe(true);
    broker.moveTo('blocked');
    expect(broker.isReady()).toBe(false);
    expect(broker.state).toBe('blocked');
    broker.moveTo('ready');
    expect(broker.isReady()).toBe(true);
  });
});

describe('failures nobody hears, without a logger', () => {
  const warnings = captureWarnings();

  it('are written once as a BrokerWarning process warning, then at most once a minute per kind', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const broker = new ManualBroker();
      broker.publish(event(0));
      broker.retrying(new ConnectionError('connection refused'));
      broker.retrying(new ConnectionError('connection refused'));
      broker.failInFlight(broker.takeAll(), new PublishError('nacked'));
      vi.setSystemTime(Date.now() + 61_000);
      broker.retrying(new ConnectionError('connection refused'));
      const written = await warnings();
      expect(written.map((w) => [w.code, w.message])).toEqual([
        ['BROKER_CONNECTION', 'manual broker: retrying: connection refused'],
        ['BROKER_PUBLISH_FAILED', 'manual broker: nacked'],
        [
          'BROKER_CONNECTION',
          'manual broker: retrying: connection refused (2 times since the last warning like it)',
        ],
      ]);
      expect(written[0]!.detail).toMatch(/pass a `logger`.*listen for the 'error' event/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a fatal failure is written too', async () => {
    const broker = new ManualBroker();
    broker.publish(event(0));
    broker.failNow(new AuthenticationError('RabbitMQ refused the login for user guest'));
    expect((await warnings()).map((w) => w.code)).toEqual(['BROKER_AUTHENTICATION']);
  });

  it('are emitted as `error` instead when someone listens, and only logged when a logger was given', async () => {
    const heard = new ManualBroker();
    const errors: unknown[] = [];
    heard.on('error', (error) => errors.push(error));
    heard.retrying(new ConnectionError('connection refused'));
    heard.failNow(new AuthenticationError('bad password'));
    const logged: string[] = [];
    const withLogger = new ManualBroker({
      logger: { ...noopLogger, warn: (_c: unknown, m?: string) => logged.push(m ?? ''), error: () => {} },
    });
    withLogger.retrying(new ConnectionError('connection refused'));
    expect(await warnings()).toEqual([]);
    expect(errors.map((e) => (e as ConnectionError).code)).toEqual([
      'BROKER_CONNECTION',
      'BROKER_AUTHENTICATION',
    ]);
    expect(logged).toEqual(['retrying: connection refused']);
  });
});

describe('buffer limits', () => {
  it.each([
    [
      { maxEvents: 1e20 },
      'buffer.maxEvents: expected a number between 1 and 100000000, got 100000000000000000000.',
    ],
    [{ maxEvents: 0 }, 'buffer.maxEvents: expected a number between 1 and 100000000, got 0.'],
    [
      { maxBytes: 100 },
      `buffer.maxBytes: expected a number between 1024 and ${Number.MAX_SAFE_INTEGER}, got 100.`,
    ],
    [{ overflow: 'drop-newest' }, 'buffer.overflow: must be one of reject, drop-oldest; got "drop-newest".'],
  ])('%j is refused with a ConfigError naming the field', (buffer, message) => {
    let caught: unknown;
    try {
      new InMemoryEventBroker({ buffer: buffer as never });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toBe(message);
  });
});
