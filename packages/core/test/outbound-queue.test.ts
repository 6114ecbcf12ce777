import { describe, expect, it } from 'vitest';
import { BufferOverflowError, DeliveryFailedError, OutboundQueue, TimeoutError } from '../src/index';

const body = (n: number) =>
  `{"sender_id": "s", "event": "slot", "timestamp": 1.0, "name": "n", "value": ${n}}`;

describe('OutboundQueue', () => {
  it('hands out events oldest first and counts them', () => {
    const queue = new OutboundQueue();
    for (let i = 0; i < 5; i++) queue.enqueue('s', body(i));
    const batch = queue.take(3);
    expect(batch.map((m) => m.seq)).toEqual([1, 2, 3]);
    queue.confirm(batch);
    expect(queue.stats()).toMatchObject({ published: 5, confirmed: 3, pending: 2, inFlight: 0 });
  });

  it('puts unconfirmed events back in front, in order, and counts the re-sends', () => {
    const queue = new OutboundQueue();
    for (let i = 0; i < 6; i++) queue.enqueue('s', body(i));
    const first = queue.take(4);
    queue.confirm([first[0]!, first[2]!]);
    queue.requeueAllInFlight();
    const again = queue.take(10);
    expect(again.map((m) => m.seq)).toEqual([2, 4, 5, 6]);
    expect(queue.stats().resent).toBe(2);
  });

  it('rejects new events when full under the reject policy, naming the limits', () => {
    const queue = new OutboundQueue({ maxEvents: 2 });
    queue.enqueue('s', body(1));
    queue.enqueue('s', body(2));
    let caught: unknown;
    try {
      queue.enqueue('s', body(3));
    } catch (error) {
      caught = error;
    }
    expect(BufferOverflowError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain('maxEvents 2');
    expect(queue.stats()).toMatchObject({ published: 2, pending: 2, dropped: 0 });
  });

  it('drops the oldest queued events under drop-oldest, never in-flight ones, and reports them', () => {
    const dropped: number[] = [];
    const queue = new OutboundQueue({ maxEvents: 3, overflow: 'drop-oldest' }, (d) =>
      dropped.push(...d.map((m) => m.seq)),
    );
    for (let i = 0; i < 3; i++) queue.enqueue('s', body(i));
    queue.take(1); // seq 1 is in flight
    queue.enqueue('s', body(3));
    queue.enqueue('s', body(4));
    expect(dropped).toEqual([2, 3]);
    expect(queue.stats()).toMatchObject({ published: 5, dropped: 2, pending: 3 });
  });

  it('bounds bytes as well as events', () => {
    const queue = new OutboundQueue({ maxBytes: 200 });
    queue.enqueue('s', body(1));
    queue.enqueue('s', body(2));
    expect(() => queue.enqueue('s', body(3))).toThrow(/maxBytes 200/);
    expect(() => queue.enqueue('s', 'x'.repeat(500))).toThrow(/larger than the whole buffer/);
  });

  it('settles a flush only for the events accepted before it', async () => {
    const queue = new OutboundQueue();
    queue.enqueue('s', body(1));
    const flushed = queue.whenSettled(1000);
    queue.enqueue('s', body(2));
    const [first] = queue.take(1);
    let done = false;
    void flushed.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    queue.confirm([first!]);
    await flushed;
    expect(queue.stats().pending).toBe(1);
  });

  it('rejects a flush whose events failed or were dropped, and times out naming what is pending', async () => {
    const queue = new OutboundQueue();
    queue.enqueue('s', body(1));
    queue.enqueue('s', body(2));
    const flushed = queue.whenSettled();
    const batch = queue.take(2);
    queue.confirm([batch[0]!]);
    queue.fail([batch[1]!]);
    const error = await flushed.catch((e) => e);
    expect(DeliveryFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ failed: 1, dropped: 0 });

    queue.enqueue('s', body(3));
    const timeout = await queue.whenSettled(20).catch((e) => e);
    expect(TimeoutError.isInstance(timeout)).toBe(true);
    expect(timeout.pending).toBe(1);
    expect(timeout.message).toContain('1 event(s) still pending');
  });

  it('ignores confirmations for events already settled', () => {
    const queue = new OutboundQueue();
    queue.enqueue('s', body(1));
    const batch = queue.take(1);
    queue.confirm(batch);
    queue.confirm(batch);
    queue.fail(batch);
    expect(queue.stats()).toMatchObject({ confirmed: 1, failed: 0, pending: 0, pendingBytes: 0 });
  });
});
