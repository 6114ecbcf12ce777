import { afterEach, describe, expect, it } from 'vitest';
import type { BufferLimits } from '../broker/buffer-limits';
import type { BrokerState, EventBroker, UndeliveredEvent } from '../broker/event-broker';
import { BrokerError } from '../errors/broker-error';
import {
  BrokerClosedError,
  BufferOverflowError,
  DeliveryFailedError,
  EventValidationError,
} from '../errors/errors';
import { slotSet, userUttered } from '../events/builders';
import { serialiseEvent } from '../events/serialise-event';
import { SAMPLE_EVENTS } from './sample-events';

/** A broker under test, publishing to a destination (queue, topic, file) that only this test reads. */
export interface BrokerUnderTest {
  broker: EventBroker;
  /** Resolves with the first `count` bodies that reached the destination, in arrival order. */
  read(count: number, timeoutMs: number): Promise<string[]>;
  /** Closes the reader and removes the destination. The broker may already be closed. */
  teardown(): Promise<void>;
}

/** How the broker under test is built, beyond what the harness chooses. */
export interface BrokerSetupOptions {
  /** Buffer limits, in the broker's own options (`buffer`, `bufferMaxEvents`, `queueSize`...). */
  buffer?: BufferLimits;
}

/** A broker that fails for good as soon as it connects, and how to clean up after it. */
export interface FailingBroker {
  broker: EventBroker;
  teardown(): Promise<void>;
}

export interface EventBrokerContractHarness {
  /** A fresh broker and a reader of its destination (subscribed before anything is published). */
  setup(options?: BrokerSetupOptions): Promise<BrokerUnderTest>;
  /**
   * A broker built without a logger that fails for good when it connects: bad credentials, a
   * file it cannot open. Brokers that cannot fail (in-memory) leave it out, which leaves out
   * the failure tests.
   */
  setupFailing?(): Promise<FailingBroker>;
  /** How long reads and flushes may take, in ms. Default 20 000. */
  timeoutMs?: number;
}

/** Publishes each body, expecting an EventValidationError naming its field; none may be published. */
function expectRefused(broker: EventBroker, bad: [body: unknown, path: string][]): void {
  for (const [body, path] of bad) {
    let caught: unknown;
    try {
      broker.publish(body as never);
    } catch (error) {
      caught = error;
    }
    expect(
      EventValidationError.isInstance(caught),
      `publish(<a body with a bad ${path}>) threw ${String(caught)}`,
    ).toBe(true);
    expect((caught as EventValidationError).path).toBe(path);
    expect((caught as EventValidationError).code).toBe('BROKER_INVALID_EVENT');
  }
  expect(broker.stats().published).toBe(0);
}

/**
 * The behaviour every EventBroker must have, as a vitest suite: delivery, per-sender order,
 * flush, close semantics, publish after close, bad bodies, a full buffer, and (when the harness
 * can make the broker fail) the close report and warnings of a failed broker. Core runs it
 * against its own brokers; adapters run it against real RabbitMQ and Kafka.
 */
export function describeEventBrokerContract(name: string, harness: EventBrokerContractHarness): void {
  const timeout = harness.timeoutMs ?? 20_000;

  describe(`EventBroker contract: ${name}`, () => {
    let current: { broker: EventBroker; teardown(): Promise<void> } | undefined;

    const setup = async (options?: BrokerSetupOptions) => {
      const underTest = await harness.setup(options);
      current = underTest;
      return underTest;
    };

    afterEach(async () => {
      if (!current) return;
      await current.broker.close({ timeout: 5000 }).catch(() => undefined);
      await current.teardown();
      current = undefined;
    });

    it('delivers each event body, sender_id first, in Rasa JSON', async () => {
      const { broker, read } = await setup();
      const event = userUttered('hello', {
        timestamp: 1716801234.5,
        intent: { name: 'greet', confidence: 1 },
      });
      broker.publish({ sender_id: 'contract-user', ...event });
      await broker.flush(timeout);
      const [body] = await read(1, timeout);
      expect(body).toBe(serialiseEvent('contract-user', event));
      expect(Object.keys(JSON.parse(body!))[0]).toBe('sender_id');
    });

    it('delivers every event type unchanged', async () => {
      const { broker, read } = await setup();
      for (const event of SAMPLE_EVENTS) broker.publish({ sender_id: 'contract-types', ...event });
      await broker.flush(timeout);
      const bodies = await read(SAMPLE_EVENTS.length, timeout);
      expect(bodies).toEqual(SAMPLE_EVENTS.map((event) => serialiseEvent('contract-types', event)));
    });

    it('sends string bodies byte for byte, unknown event types included', async () => {
      const { broker, read } = await setup();
      const body = '{"sender_id":"raw","event":"stack","timestamp":1.5,"update":"[]"}';
      broker.publish(body);
      await broker.flush(timeout);
      expect(await read(1, timeout)).toEqual([body]);
    });

    it('keeps the order of each sender across interleaved senders', async () => {
      const { broker, read } = await setup();
      const senders = ['alice', 'bob', 'carol'];
      const perSender = 40;
      for (let i = 0; i < perSender; i++) {
        for (const sender of senders)
          broker.publish({ sender_id: sender, ...slotSet('n', i, { timestamp: 1 + i }) });
      }
      await broker.flush(timeout);
      const bodies = (await read(senders.length * perSender, timeout)).map((b) => JSON.parse(b));
      for (const sender of senders) {
        const values = bodies.filter((b) => b.sender_id === sender).map((b) => b.value);
        expect(values).toEqual(Array.from({ length: perSender }, (_, i) => i));
      }
    });

    it('flush resolves once everything accepted is confirmed, and the counters say so', async () => {
      const { broker, read } = await setup();
      await broker.flush(timeout);
      for (let i = 0; i < 50; i++) broker.publish({ sender_id: 'flush', ...slotSet('i', i) });
      expect(broker.stats().published).toBe(50);
      await broker.flush(timeout);
      const stats = broker.stats();
      expect(stats).toMatchObject({
        published: 50,
        confirmed: 50,
        pending: 0,
        inFlight: 0,
        failed: 0,
        dropped: 0,
        rejected: 0,
        resent: 0,
      });
      expect(broker.isReady()).toBe(true);
      expect(await read(50, timeout)).toHaveLength(50);
    });

    it('rejects bodies that are not event messages, naming the field, and publishes nothing', async () => {
      const { broker } = await setup();
      const bad: [unknown, string][] = [
        ['not json at all', '$'],
        ['[1, 2]', '$'],
        ['{"event": "user", "timestamp": 1, "text": "hi"}', 'sender_id'],
        // JSON text is checked field by field too, not only for sender_id.
        ['{"sender_id": "x", "event": "user", "timestamp": 1, "text": 5}', 'text'],
        ['{"sender_id": "x", "event": "slot", "timestamp": "yesterday", "name": "a"}', 'timestamp'],
        [{ sender_id: 'x', event: 'user', timestamp: 1, text: 5 }, 'text'],
        [{ sender_id: 'x', event: 'slot', timestamp: 'yesterday', name: 'a', value: 1 }, 'timestamp'],
        [{ sender_id: 'x', event: 'slot', timestamp: 1, value: 1 }, 'name'],
        [{ sender_id: '', event: 'restart', timestamp: 1 }, 'sender_id'],
        [{ sender_id: 'x', event: 'action', timestamp: Number.NaN, name: 'a' }, 'timestamp'],
      ];
      expectRefused(broker, bad);
    });

    it('refuses bodies that cannot be read or written as JSON with EventValidationError naming the field', async () => {
      const { broker } = await setup();
      const circular: Record<string, unknown> = { sender_id: 'x', ...userUttered('hi') };
      circular.metadata = { conversation: { back: circular } };
      const loop: unknown[] = [1];
      loop.push(loop);
      const throwing = (body: object, key: string) =>
        Object.defineProperty(body, key, {
          enumerable: true,
          get() {
            throw new TypeError(`${key} is not available`);
          },
        });
      const bad: [unknown, string][] = [
        [circular, 'metadata.conversation.back'],
        [{ sender_id: 'x', ...slotSet('list', 1), value: loop }, 'value[1]'],
        [throwing({ sender_id: 'x', event: 'user', timestamp: 1 }, 'text'), 'text'],
        [throwing({ event: 'restart', timestamp: 1 }, 'sender_id'), 'sender_id'],
        [{ sender_id: 'x', ...userUttered('hi'), metadata: throwing({}, 'locale') }, 'metadata.locale'],
        [
          {
            sender_id: 'x',
            ...slotSet('when', 1),
            value: {
              toJSON: () => {
                throw new RangeError('bad date');
              },
            },
          },
          'value',
        ],
      ];
      expectRefused(broker, bad);
    });

    it('close flushes what is pending, reports nothing undelivered, and is idempotent', async () => {
      const { broker, read } = await setup();
      const states: BrokerState[] = [];
      broker.on('state', (state) => states.push(state));
      for (let i = 0; i < 20; i++) broker.publish({ sender_id: 'closing', ...slotSet('i', i) });
      const first = broker.close({ timeout });
      const second = broker.close({ timeout });
      expect(second).toBe(first);
      const report = await first;
      expect(report.undelivered).toEqual([]);
      expect(report.confirmed).toBe(20);
      expect(broker.state).toBe('closed');
      expect(states.at(-1)).toBe('closed');
      expect(await read(20, timeout)).toHaveLength(20);
    });

    it('refuses an event when the buffer is full under reject, counts it as rejected and reports it, and delivers the rest', async () => {
      const { broker, read } = await setup({ buffer: { maxEvents: 2, overflow: 'reject' } });
      const refused: UndeliveredEvent[] = [];
      broker.on('undelivered', (events) => refused.push(...events));
      const events = [0, 1, 2].map((i) => slotSet('i', i, { timestamp: 1 + i }));
      broker.publish({ sender_id: 'full', ...events[0]! });
      broker.publish({ sender_id: 'full', ...events[1]! });
      let caught: unknown;
      try {
        broker.publish({ sender_id: 'full', ...events[2]! });
      } catch (error) {
        caught = error;
      }
      expect(BufferOverflowError.isInstance(caught)).toBe(true);
      expect(broker.stats()).toMatchObject({ published: 2, rejected: 1 });
      expect(refused).toEqual([
        { senderId: 'full', body: serialiseEvent('full', events[2]!), reason: 'rejected' },
      ]);
      await broker.flush(timeout);
      expect(await read(2, timeout)).toEqual(events.slice(0, 2).map((e) => serialiseEvent('full', e)));
      // Never accepted, so not in the close report: the caller got the error.
      const report = await broker.close({ timeout });
      expect(report.undelivered).toEqual([]);
      expect(report.stats).toMatchObject({ published: 2, confirmed: 2, rejected: 1 });
    });

    it('throws BrokerClosedError when publishing after close', async () => {
      const { broker } = await setup();
      await broker.close({ timeout });
      let caught: unknown;
      try {
        broker.publish({ sender_id: 'late', ...slotSet('a', 1) });
      } catch (error) {
        caught = error;
      }
      expect(BrokerClosedError.isInstance(caught)).toBe(true);
      expect(BrokerError.isInstance(caught) && caught.canRetry).toBe(false);
    });

    if (!harness.setupFailing) return;
    const setupFailing = async () => {
      const failing = await harness.setupFailing!();
      current = failing;
      return failing;
    };

    it('a broker that failed for good lists every event it could not deliver in the close report, as its stats count them', async () => {
      const { broker } = await setupFailing();
      const errors: BrokerError[] = [];
      broker.on('error', (error) => errors.push(error));
      const bodies = [0, 1, 2].map((i) => serialiseEvent('doomed', slotSet('i', i, { timestamp: 1 })));
      for (const body of bodies) broker.publish(body);
      await expect(broker.flush(timeout)).rejects.toSatisfy((e: unknown) =>
        DeliveryFailedError.isInstance(e),
      );
      expect(broker.state).toBe('failed');
      expect(broker.isReady()).toBe(false);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => !e.canRetry)).toBe(true);
      expect(() => broker.publish(bodies[0]!)).toThrow(/non-retryable/);
      // The events failed before close() was called: the report still lists them.
      const report = await broker.close({ timeout });
      expect(report.undelivered).toEqual(
        bodies.map((body) => ({ senderId: 'doomed', body, reason: 'failed' })),
      );
      expect(report.stats).toMatchObject({ published: 3, confirmed: 0, failed: 3, pending: 0 });
      expect(report.undelivered.length + report.undeliveredOmitted).toBe(
        report.stats.failed + report.stats.dropped,
      );
    });

    it('without a logger and an error listener, a failure is written to stderr once, as a process warning', async () => {
      const warnings: (Error & { code?: string })[] = [];
      const onWarning = (warning: Error) => {
        if (warning.name === 'BrokerWarning') warnings.push(warning);
      };
      process.on('warning', onWarning);
      try {
        const { broker } = await setupFailing();
        for (let i = 0; i < 3; i++) broker.publish({ sender_id: 'unheard', ...slotSet('i', i) });
        await broker.flush(timeout).catch(() => undefined);
        await broker.close({ timeout });
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/failed and stopped/)]);
      expect(warnings[0]!.code).toMatch(/^BROKER_/);
    });
  });
}
