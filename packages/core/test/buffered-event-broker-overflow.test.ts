import { describe, expect, it } from 'vitest';
import { BufferOverflowError, noopLogger, slotSet, type UndeliveredEvent } from '../src/index';
import { ManualBroker } from './helpers/manual-broker';

/** A broker whose transport never connects: everything stays in the buffer. */
const unreachable = (overflow: 'drop-oldest' | 'reject' = 'drop-oldest') =>
  new ManualBroker({ logger: noopLogger, buffer: { maxEvents: 2, overflow } });

const event = (n: number) => ({ sender_id: 's', ...slotSet('n', n, { timestamp: 1 }) });

describe('BufferedEventBroker with overflow drop-oldest', () => {
  it('reports each dropped event to an undelivered listener, with a BufferOverflowError', () => {
    const broker = unreachable();
    const reports: { events: UndeliveredEvent[]; error: unknown }[] = [];
    broker.on('undelivered', (events, error) => reports.push({ events, error }));
    for (let n = 0; n < 4; n++) broker.publish(event(n));
    expect(reports.map((r) => r.events.map((e) => JSON.parse(e.body).value))).toEqual([[0], [1]]);
    expect(reports.every((r) => r.events[0]?.reason === 'dropped')).toBe(true);
    expect(BufferOverflowError.isInstance(reports[0]?.error)).toBe(true);
    expect(broker.stats()).toMatchObject({ published: 4, pending: 2, dropped: 2 });
  });

  it('counts drops without a listener too', () => {
    const broker = unreachable();
    for (let n = 0; n < 5; n++) broker.publish(event(n));
    expect(broker.stats()).toMatchObject({ published: 5, pending: 2, dropped: 3 });
  });
});

describe('BufferedEventBroker with overflow reject', () => {
  it('counts each refused event as rejected (not published) and reports it like a drop', () => {
    const broker = unreachable('reject');
    const reports: { events: UndeliveredEvent[]; error: unknown }[] = [];
    broker.on('undelivered', (events, error) => reports.push({ events, error }));
    for (let n = 0; n < 2; n++) broker.publish(event(n));
    for (let n = 2; n < 5; n++) {
      expect(() => broker.publish(event(n))).toThrow(/publish buffer is full/);
    }
    expect(broker.stats()).toMatchObject({ published: 2, pending: 2, rejected: 3, dropped: 0 });
    expect(reports.map((r) => r.events.map((e) => [JSON.parse(e.body).value, e.reason]))).toEqual([
      [[2, 'rejected']],
      [[3, 'rejected']],
      [[4, 'rejected']],
    ]);
    expect(BufferOverflowError.isInstance(reports[0]?.error)).toBe(true);
  });

  it('logs refusals at most once a second, with how many there were', () => {
    const warnings: { context: Record<string, unknown>; message: string }[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (context: Record<string, unknown> | string, message?: string) => {
        if (typeof context !== 'string') warnings.push({ context, message: message ?? '' });
      },
    };
    const broker = new ManualBroker({ logger, buffer: { maxEvents: 1, overflow: 'reject' } });
    broker.publish(event(0));
    for (let n = 1; n < 50; n++) expect(() => broker.publish(event(n))).toThrow();
    expect(warnings.map((w) => w.context)).toEqual([{ rejected: 1, totalRejected: 1 }]);
    expect(warnings[0]!.message).toMatch(
      /manual publish buffer full: refused 1 event\(s\) \(overflow: reject\)/,
    );
    expect(broker.stats().rejected).toBe(49);
  });
});
