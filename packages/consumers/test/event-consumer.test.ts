import { ConfigError, isUnknownEvent } from '@broker/core';
import { describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../src/consumer/consumed-event';
import { createConsumer, EventConsumer } from '../src/consumer/event-consumer';
import { backoffDelay, retryPolicy } from '../src/consumer/retry-policy';
import { SinkError } from '../src/sinks/sink-error';
import { MemoryMessageSource } from './helpers/memory-message-source';
import { wireBody } from './helpers/wire';

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

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
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      shutdownTimeoutMs: 50,
      handler: (_e, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          });
        }),
    });
    source.push(wireBody('a'));
    source.push(wireBody('a'));
    const run = consumer.run();
    await new Promise((r) => setTimeout(r, 10));
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
