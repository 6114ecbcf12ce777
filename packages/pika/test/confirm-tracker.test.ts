import type { OutboundMessage } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { ConfirmTracker } from '../src/broker/confirm-tracker';

const message = (seq: number, body = `{"n":${seq}}`): OutboundMessage => ({
  seq,
  senderId: 's',
  body,
  size: Buffer.byteLength(body),
  headers: undefined,
  attempts: 1,
  settled: false,
  transportRecord: undefined,
  publishContext: undefined,
  deliverContext: undefined,
});

function trackerWith(count: number): { tracker: ConfirmTracker; messages: OutboundMessage[] } {
  const tracker = new ConfirmTracker();
  const messages = Array.from({ length: count }, (_, i) => message(i + 1));
  for (const m of messages) tracker.add(m);
  return { tracker, messages };
}

describe('ConfirmTracker', () => {
  it('settles one tag, or every tag up to one with multiple', () => {
    const { tracker, messages } = trackerWith(5);
    expect(tracker.settle(1, false)).toEqual([messages[0]]);
    expect(tracker.settle(3, true)).toEqual([messages[1], messages[2]]);
    expect(tracker.size).toBe(2);
    expect(tracker.settle(5, true)).toEqual([messages[3], messages[4]]);
    expect(tracker.size).toBe(0);
  });

  it('handles acks out of order and ignores tags already settled', () => {
    const { tracker, messages } = trackerWith(4);
    expect(tracker.settle(3, false)).toEqual([messages[2]]);
    expect(tracker.settle(3, false)).toEqual([]);
    expect(tracker.settle(4, true)).toEqual([messages[0], messages[1], messages[3]]);
    expect(tracker.settle(2, true)).toEqual([]);
    expect(tracker.size).toBe(0);
  });

  it('keeps counting tags across many publishes (window compaction)', () => {
    const tracker = new ConfirmTracker();
    let seq = 0;
    for (let round = 0; round < 20; round++) {
      const batch = Array.from({ length: 1000 }, () => message(++seq));
      for (const m of batch) tracker.add(m);
      expect(tracker.settle(seq, true)).toEqual(batch);
    }
    tracker.add(message(++seq));
    expect(tracker.settle(seq, false)).toHaveLength(1);
  });

  it('matches a basic.return to the oldest unconfirmed message with that body', () => {
    const tracker = new ConfirmTracker();
    const a = message(1, 'same');
    const b = message(2, 'other');
    const c = message(3, 'same');
    for (const m of [a, b, c]) tracker.add(m);
    const reason = { replyCode: 312, replyText: 'NO_ROUTE' };
    expect(tracker.markReturned(Buffer.from('same'), reason)).toBe(a);
    expect(tracker.markReturned(Buffer.from('same'), reason)).toBe(c);
    expect(tracker.markReturned(Buffer.from('unknown'), reason)).toBeUndefined();
    expect(tracker.takeReturn(a)).toEqual(reason);
    expect(tracker.takeReturn(a)).toBeUndefined();
    expect(tracker.takeReturn(b)).toBeUndefined();
  });

  it('drains what is unconfirmed, in publish order', () => {
    const { tracker, messages } = trackerWith(4);
    tracker.settle(2, false);
    expect(tracker.drain()).toEqual([messages[0], messages[2], messages[3]]);
    expect(tracker.size).toBe(0);
  });
});
