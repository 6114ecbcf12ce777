import { ConfigError, ConnectionError, isUnknownEvent, type Logger } from '@broker/core';
import { describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../src/consumer/consumed-event';
import { createConsumer, EventConsumer } from '../src/consumer/event-consumer';
import { backoffDelay, retryPolicy } from '../src/consumer/retry-policy';
import { SinkError } from '../src/sinks/sink-error';
import { MemoryMessageSource } from './helpers/memory-message-source';
import { wireBody } from './helpers/wire';

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

/** A logger that keeps every line (level and message). */
function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (context: Record<string, unknown> | string, message?: string): void => {
      lines.push({ level, message: typeof context === 'string' ? context : (message ?? '') });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Fails a test that would otherwise hang (the old behaviour of some defects), saying what did not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('EventConsumer', () => {
  it('keeps each conversation in order while conversations run concurrently', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const seen = new Map<string, string[]>();
    let running = 0;
    let maxRunning = 0;
    const consumer = new EventConsumer(source, {
      concurrency: 8,
      signal: controller.signal,
      handler: async (e) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        running--;
        seen.set(e.senderId, [...(seen.get(e.senderId) ?? []), e.body]);
      },
    });
    const expected = new Map<string, string[]>();
    for (let i = 0; i < 200; i++) {
      const sender = `s${i % 5}`;
      const body = wireBody(sender);
      expected.set(sender, [...(expected.get(sender) ?? []), body]);
      source.push(body);
    }
    const run = consumer.run();
    await source.settledCount(200);
    controller.abort();
    const report = await run;
    expect(seen).toEqual(expected);
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(5);
    expect(source.maxInFlightSeen).toBeLessThanOrEqual(8);
    expect(report.stats).toMatchObject({ received: 200, handled: 200, deadLettered: 0, inFlight: 0 });
    expect(source.settlements.every((s) => s.settlement.outcome === 'ack')).toBe(true);
  });

  it('hands the handler the sender, the typed event, the exact body, headers and position', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const got: ConsumedEvent[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      handler: (e) => void got.push(e),
    });
    const body = '{"sender_id": "u1", "event": "slot", "timestamp": 1.5, "name": "city", "value": "Berlin"}';
    source.push(body, { 'rasa-export-process-id': 'abc' });
    const run = consumer.run();
    await source.settledCount(1);
    controller.abort();
    await run;
    expect(got[0]).toMatchObject({
      senderId: 'u1',
      event: { event: 'slot', timestamp: 1.5, name: 'city', value: 'Berlin' },
      body,
      headers: { 'rasa-export-process-id': 'abc' },
      position: 'memory#1',
      redelivered: false,
    });
  });

  it('acknowledges only after the handler finished', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const gate = deferred();
    const started = deferred();
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      handler: async () => {
        started.resolve();
        await gate.promise;
      },
    });
    source.push(wireBody('a'));
    const run = consumer.run();
    await started.promise;
    expect(source.settlements).toHaveLength(0);
    expect(consumer.stats().inFlight).toBe(1);
    gate.resolve();
    await source.settledCount(1);
    controller.abort();
    await run;
    expect(source.settlements[0]?.settlement).toEqual({ outcome: 'ack' });
  });

  it('retries a failing handler with backoff, in order, then dead-letters with the reason', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const calls: string[] = [];
    const poison = wireBody('a', 'bot', { text: 'poison' });
    const after = wireBody('a', 'bot', { text: 'after' });
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      retry: { ...fastRetry, maxRetries: 2 },
      handler: (e) => {
        calls.push((e.event as { text: string }).text);
        if (e.body === poison) throw new Error('CRM is down');
      },
    });
    source.push(poison);
    source.push(after);
    const run = consumer.run();
    await source.settledCount(2);
    controller.abort();
    const report = await run;
    // The later event of the same conversation waits for the failing one.
    expect(calls).toEqual(['poison', 'poison', 'poison', 'after']);
    expect(source.deadLetters).toHaveLength(1);
    expect(source.deadLetters[0]?.body).toBe(poison);
    expect(source.deadLetters[0]?.settlement).toMatchObject({
      outcome: 'dead-letter',
      reason: 'handler failed 3 times: CRM is down',
    });
    expect(report.stats).toMatchObject({ handled: 1, retried: 2, deadLettered: 1 });
  });

  it('recovers when a retry succeeds', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    let failures = 2;
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      retry: fastRetry,
      handler: () => {
        if (failures-- > 0) throw new Error('flaky');
      },
    });
    source.push(wireBody('a'));
    const run = consumer.run();
    await source.settledCount(1);
    controller.abort();
    expect((await run).stats).toMatchObject({ handled: 1, retried: 2, deadLettered: 0 });
  });

  it('retries only the sink when the handler already succeeded, and dead-letters permanent sink errors at once', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    let handlerCalls = 0;
    let sinkCalls = 0;
    const bad = wireBody('b');
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      retry: fastRetry,
      handler: () => void handlerCalls++,
      sink: {
        name: 'test',
        close: async () => {},
        write: async (e) => {
          sinkCalls++;
          if (e.body === bad) throw new SinkError('test', 'value too long', { canRetry: false });
          if (sinkCalls === 1) throw new SinkError('test', 'connection reset', { canRetry: true });
        },
      },
    });
    source.push(wireBody('a'));
    const run = consumer.run();
    await source.settledCount(1);
    expect({ handlerCalls, sinkCalls }).toEqual({ handlerCalls: 1, sinkCalls: 2 });
    source.push(bad);
    await source.settledCount(2);
    controller.abort();
    await run;
    expect(sinkCalls).toBe(3);
    expect(source.deadLetters[0]?.settlement).toMatchObject({
      reason: 'sink test failed once: value too long',
    });
  });

  it('dead-letters poison messages with the reason and keeps going', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      handler: (e) => void handled.push(e.event.event),
    });
    source.push('this is not json');
    source.push('{"event": "bot", "timestamp": 1, "text": "hi"}');
    source.push('{"sender_id": "a", "event": "slot", "timestamp": 1}');
    source.push('[1, 2]');
    source.push('{"sender_id": "a", "event": "flow_started", "timestamp": 2, "flow_id": "x"}');
    source.push(wireBody('a', 'bot'));
    const run = consumer.run();
    await source.settledCount(6);
    controller.abort();
    const report = await run;
    expect(handled).toEqual(['flow_started', 'bot']);
    const reasons = source.deadLetters.map((d) => (d.settlement as { reason: string }).reason);
    expect(reasons).toHaveLength(4);
    expect(reasons[0]).toMatch(/^malformed \(not JSON\): Invalid event message: not JSON/);
    expect(reasons[1]).toMatch(/^malformed \(no sender_id\): .*sender_id must be a non-empty string/);
    expect(reasons[2]).toMatch(/^malformed \(invalid event\): Invalid "slot" event: name must be/);
    expect(reasons[3]).toMatch(/^malformed \(not JSON\): .*expected a JSON object/);
    expect(report.stats).toMatchObject({ malformed: 4, handled: 2, deadLettered: 0 });
  });

  it('passes unknown event types as UnknownEvent, or skips them on request', async () => {
    const unknown = '{"sender_id": "a", "event": "stack", "timestamp": 2, "update": "[]"}';
    for (const unknownEvents of ['handle', 'skip'] as const) {
      const source = new MemoryMessageSource();
      const controller = new AbortController();
      const got: ConsumedEvent[] = [];
      const consumer = new EventConsumer(source, {
        signal: controller.signal,
        filter: { unknownEvents },
        handler: (e) => void got.push(e),
      });
      source.push(unknown);
      const run = consumer.run();
      await source.settledCount(1);
      controller.abort();
      const { stats } = await run;
      if (unknownEvents === 'handle') {
        expect(got).toHaveLength(1);
        expect(isUnknownEvent(got[0]!.event)).toBe(true);
      } else {
        expect(got).toHaveLength(0);
        expect(stats.filtered).toBe(1);
      }
      expect(source.settlements[0]?.settlement.outcome).toBe('ack');
    }
  });

  it('filters by event type and sender: filtered events are acknowledged, not handled', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      filter: { types: ['user', 'bot'], senders: ['alice'] },
      handler: (e) => void handled.push(`${e.senderId}:${e.event.event}`),
    });
    source.push(wireBody('alice', 'bot'));
    source.push(wireBody('bob', 'bot'));
    source.push(wireBody('alice', 'session_started'));
    source.push(wireBody('alice', 'user', { text: 'hi' }));
    const run = consumer.run();
    await source.settledCount(4);
    controller.abort();
    const { stats } = await run;
    expect(handled).toEqual(['alice:bot', 'alice:user']);
    expect(stats).toMatchObject({ handled: 2, filtered: 2 });
    expect(source.settlements.every((s) => s.settlement.outcome === 'ack')).toBe(true);
  });

  it('keeps order and handles each event once when the source redelivers after a reconnect', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const seen: string[] = [];
    const gate = deferred();
    const first = deferred();
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      concurrency: 10,
      handler: async (e) => {
        seen.push(e.body);
        if (seen.length === 1) {
          first.resolve();
          await gate.promise;
        }
      },
    });
    const bodies = Array.from({ length: 6 }, () => wireBody('a'));
    for (const body of bodies) source.push(body);
    const run = consumer.run();
    await first.promise;
    // The connection drops while the first event is being handled: all six come back.
    source.reconnect();
    gate.resolve();
    await source.settledCount(6);
    controller.abort();
    const { stats } = await run;
    expect(seen).toEqual(bodies);
    expect(stats.duplicates).toBe(6);
    expect(stats.handled).toBe(6);
  });

  it('shuts down gracefully: stops fetching, finishes in-flight handlers, settles them', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const gate = deferred();
    const started = deferred();
    let calls = 0;
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      concurrency: 2,
      handler: async () => {
        calls++;
        started.resolve();
        await gate.promise;
      },
    });
    for (let i = 0; i < 5; i++) source.push(wireBody(`s${i}`));
    const run = consumer.run();
    await started.promise;
    controller.abort();
    gate.resolve();
    const report = await run;
    expect(calls).toBe(2);
    expect(report.reason).toBe('stopped');
    expect(source.settlements).toHaveLength(2);
    expect(source.readyCount).toBe(3);
    expect(report.stats).toMatchObject({ handled: 2, inFlight: 0 });
  });

  it('gives up on a hung handler after the shutdown timeout and leaves the message to the broker', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    let aborted = false;
    let handlerStarted!: () => void;
    const started = new Promise<void>((resolve) => (handlerStarted = resolve));
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      shutdownTimeoutMs: 50,
      handler: (_e, { signal }) =>
        new Promise((_resolve, reject) => {
          handlerStarted();
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          });
        }),
    });
    source.push(wireBody('a'));
    source.push(wireBody('a'));
    const run = consumer.run();
    await started;
    controller.abort();
    const report = await run;
    expect(aborted).toBe(true);
    expect(source.settlements).toHaveLength(0);
    expect(report.stats.unsettled).toBe(2);
    expect(report.stats.deadLettered).toBe(0);
  });

  it('stops after maxEvents and leaves the rest with the broker', async () => {
    const source = new MemoryMessageSource();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, { maxEvents: 3, handler: (e) => void handled.push(e.body) });
    const bodies = Array.from({ length: 10 }, (_, i) => wireBody(`s${i % 2}`));
    for (const body of bodies) source.push(body);
    const report = await consumer.run();
    expect(report.reason).toBe('max-events');
    expect(handled).toHaveLength(3);
    expect(source.settlements).toHaveLength(3);
  });

  it('rejects bad options with typed errors', async () => {
    const source = new MemoryMessageSource();
    expect(() => new EventConsumer(source, {})).toThrowError(/needs a handler, a sink, or both/);
    expect(() => new EventConsumer(source, { handler: () => {}, concurrency: 0 })).toThrowError(ConfigError);
    expect(() => new EventConsumer(source, { handler: () => {}, retry: { maxRetries: -1 } })).toThrowError(
      /retry.maxRetries must be a whole number >= 0, got -1/,
    );
    await expect(createConsumer({ handler: () => {} })).rejects.toThrowError(/needs `source` or `endpoints`/);
    await expect(
      createConsumer({ handler: () => {}, endpoints: '/nope/endpoints.yml' }),
    ).rejects.toThrowError(/Cannot read the endpoints file \/nope\/endpoints.yml: it does not exist/);
  });
});

describe('EventConsumer identity: what is a copy', () => {
  it('handles two identical bodies that are not redeliveries as two events', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      handler: (e) => void handled.push(e.body),
    });
    // Two action_listen events of one turn with the same timestamp: two real events.
    const listen =
      '{"sender_id": "a", "event": "action", "timestamp": 1716801234.5, "name": "action_listen"}';
    source.push(listen);
    source.push(wireBody('a'));
    source.push(listen);
    const run = consumer.run();
    await source.settledCount(3);
    controller.abort();
    const { stats } = await run;
    expect(stats).toMatchObject({ handled: 3, duplicates: 0 });
    expect(handled.filter((body) => body === listen)).toHaveLength(2);
  });

  it('skips a message whose id was handled (a producer re-send), and handles equal bodies with other ids', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      handler: (e) => void handled.push(e.messageId ?? ''),
    });
    const body = wireBody('a');
    source.push(body, {}, 'amqp:m-1');
    source.push(body, {}, 'amqp:m-1');
    source.push(body, {}, 'amqp:m-2');
    const run = consumer.run();
    await source.settledCount(3);
    controller.abort();
    const { stats } = await run;
    expect(handled).toEqual(['amqp:m-1', 'amqp:m-2']);
    expect(stats).toMatchObject({ handled: 2, duplicates: 1 });
    expect(source.settlements.every((s) => s.settlement.outcome === 'ack')).toBe(true);
  });
});

describe('EventConsumer outages: the sink or the handler unavailable', () => {
  it('pauses instead of dead-lettering, probes alone with backoff, logs the time so far, and resumes by itself', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const logger = recordingLogger();
    const stored: string[] = [];
    let down = false;
    let running = 0;
    let startedWhilePaused = 0;
    let concurrentWhilePaused = 0;
    let consumer!: EventConsumer;
    consumer = new EventConsumer(source, {
      signal: controller.signal,
      concurrency: 8,
      retry: { maxRetries: 1, initialDelayMs: 10, maxDelayMs: 40 },
      logger,
      sink: {
        name: 'db',
        close: async () => {},
        write: async (e) => {
          if (consumer.stats().paused) {
            startedWhilePaused++;
            if (running > 0) concurrentWhilePaused++;
            // The database comes back after six probes.
            if (startedWhilePaused === 6) down = false;
          }
          running++;
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          if (down) throw new ConnectionError('PostgreSQL is unreachable (connection refused)');
          stored.push(e.body);
        },
      },
    });
    const bodies = Array.from({ length: 60 }, (_, i) => wireBody(`s${i % 6}`));
    for (const body of bodies.slice(0, 10)) source.push(body);
    const run = consumer.run();
    await source.settledCount(10);
    down = true;
    for (const body of bodies.slice(10)) source.push(body);
    await within(source.settledCount(60), 5000, 'resuming after the outage');
    controller.abort();
    const { stats } = await run;
    expect(stats).toMatchObject({ handled: 60, deadLettered: 0, outages: 1, paused: false, retried: 0 });
    expect(stats.outageMs).toBeGreaterThan(0);
    expect(source.deadLetters).toHaveLength(0);
    // Each conversation stored in order, each event once.
    expect([...stored].sort()).toEqual([...bodies].sort());
    for (let s = 0; s < 6; s++) {
      const mine = (list: string[]) => list.filter((body) => body.includes(`"s${s}"`));
      expect(mine(stored)).toEqual(mine(bodies));
    }
    // While paused, only the probe tried, one attempt at a time.
    expect(startedWhilePaused).toBe(6);
    expect(concurrentWhilePaused).toBe(0);
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings[0]).toMatch(/^sink db is unavailable \(PostgreSQL is unreachable.*\); pausing/);
    expect(
      warnings.filter((w) => /^sink db still unavailable after \d+\.\d s \(attempt \d\)/.test(w)),
    ).toHaveLength(5);
    expect(
      logger.lines.some((l) => /^sink db answers again after \d+\.\d s; resuming$/.test(l.message)),
    ).toBe(true);
  });

  it('treats a handler throwing ConnectionError or an error with canRetry as an outage, a plain Error as a failure of the event', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    let crmDown = 3;
    let quotaExceeded = 2;
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      handler: (e) => {
        const text = (e.event as { text: string }).text;
        if (text === 'crm' && crmDown-- > 0) throw new ConnectionError('CRM unreachable');
        if (text === 'quota' && quotaExceeded-- > 0)
          throw Object.assign(new Error('429 from the CRM'), { canRetry: true });
        if (text === 'bad') throw new Error('cannot map this event');
        handled.push(text);
      },
    });
    for (const text of ['crm', 'quota', 'bad', 'after']) source.push(wireBody('a', 'bot', { text }));
    const run = consumer.run();
    await within(source.settledCount(4), 5000, 'settling the four events');
    controller.abort();
    const { stats } = await run;
    expect(handled).toEqual(['crm', 'quota', 'after']);
    expect(source.deadLetters.map((d) => (d.settlement as { reason: string }).reason)).toEqual([
      'handler failed 3 times: cannot map this event',
    ]);
    expect(stats).toMatchObject({ handled: 3, deadLettered: 1, retried: 2, outages: 2, paused: false });
  });

  it('stops with reason outage after maxOutageMs, settling nothing: the events stay with the broker', async () => {
    const source = new MemoryMessageSource();
    const logger = recordingLogger();
    const consumer = new EventConsumer(source, {
      concurrency: 8,
      maxOutageMs: 150,
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
      logger,
      sink: {
        name: 'db',
        close: async () => {},
        write: async () => {
          throw new ConnectionError('PostgreSQL is unreachable (connection refused)');
        },
      },
    });
    for (let i = 0; i < 20; i++) source.push(wireBody(`s${i % 4}`));
    const report = await within(consumer.run(), 5000, 'stopping after maxOutageMs');
    expect(report.reason).toBe('outage');
    expect(report.stats).toMatchObject({
      handled: 0,
      deadLettered: 0,
      unsettled: 8,
      inFlight: 0,
      paused: true,
    });
    expect(report.stats.outageMs).toBeGreaterThanOrEqual(150);
    expect(source.settlements).toHaveLength(0);
    expect(source.unsettledCount + source.readyCount).toBe(20);
    expect(
      logger.lines.some(
        (l) => l.level === 'error' && /longer than the 150 ms allowed; stopping/.test(l.message),
      ),
    ).toBe(true);
  });

  it('stopping during an outage leaves the waiting events to the broker at once, dead-lettering nothing', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      concurrency: 4,
      // A graceful stop does not wait for events that cannot be stored.
      shutdownTimeoutMs: 60_000,
      sink: {
        name: 'db',
        close: async () => {},
        write: async () => {
          throw new ConnectionError('PostgreSQL is unreachable');
        },
      },
    });
    for (let i = 0; i < 6; i++) source.push(wireBody(`s${i}`));
    const run = consumer.run();
    await within(
      (async () => {
        while (!consumer.stats().paused) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      5000,
      'the outage',
    );
    controller.abort();
    const report = await within(run, 5000, 'a prompt stop');
    expect(report.reason).toBe('stopped');
    expect(report.stats).toMatchObject({ deadLettered: 0, unsettled: 4, paused: true, outages: 1 });
    expect(source.settlements).toHaveLength(0);
  });

  it('still dead-letters at once an event the sink refuses for good', async () => {
    const source = new MemoryMessageSource();
    const controller = new AbortController();
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      sink: {
        name: 'db',
        close: async () => {},
        write: async () => {
          throw new SinkError('db', 'value too long for type character varying(10)', { canRetry: false });
        },
      },
    });
    source.push(wireBody('a'));
    const run = consumer.run();
    await source.settledCount(1);
    controller.abort();
    const { stats } = await run;
    expect(stats).toMatchObject({ deadLettered: 1, outages: 0, paused: false });
  });

  it('rejects a negative maxOutageMs', () => {
    expect(
      () => new EventConsumer(new MemoryMessageSource(), { handler: () => {}, maxOutageMs: -1 }),
    ).toThrowError(/maxOutageMs must be a number of ms >= 0 \(or Infinity to wait for ever\), got -1/);
  });
});

describe('EventConsumer maxEvents', () => {
  it('counts every message taken, so a queue of malformed messages still ends', async () => {
    const source = new MemoryMessageSource();
    const consumer = new EventConsumer(source, { maxEvents: 3, handler: () => {} });
    for (let i = 0; i < 10; i++) source.push(`not json ${i}`);
    const report = await within(consumer.run(), 5000, 'stopping after 3 malformed messages');
    expect(report.reason).toBe('max-events');
    expect(report.stats).toMatchObject({ malformed: 3, handled: 0 });
    expect(source.deadLetters).toHaveLength(3);
    expect(source.readyCount + source.unsettledCount).toBe(7);
  });

  it('counts filtered messages too', async () => {
    const source = new MemoryMessageSource();
    const handled: string[] = [];
    const consumer = new EventConsumer(source, {
      maxEvents: 4,
      filter: { types: ['user'] },
      handler: (e) => void handled.push(e.event.event),
    });
    for (let i = 0; i < 10; i++)
      source.push(wireBody('a', i === 1 ? 'user' : 'bot', i === 1 ? { text: 'hi' } : {}));
    const report = await within(consumer.run(), 5000, 'stopping after 4 messages');
    expect(report.stats).toMatchObject({ handled: 1, filtered: 3 });
    expect(handled).toEqual(['user']);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, half of each delay random', () => {
    const policy = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(retryPolicy(false).maxRetries).toBe(0);
  });
});
