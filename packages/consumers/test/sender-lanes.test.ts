import { describe, expect, it } from 'vitest';
import { type LaneTurn, SenderLanes } from '../src/consumer/sender-lanes';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SenderLanes', () => {
  it('starts the next item of a conversation only when the previous one is done, unless it releases the lane', async () => {
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const turns = new Map<string, LaneTurn>();
    const lanes = new SenderLanes<string>(async (item, turn) => {
      started.push(item);
      turns.set(item, turn);
      const done = deferred();
      finish.set(item, done.resolve);
      await done.promise;
    });
    lanes.push('a', 'a1');
    lanes.push('a', 'a2');
    lanes.push('a', 'a3');
    lanes.push('b', 'b1');
    await settle();
    expect(started).toEqual(['a1', 'b1']);
    // a1 hands its work on (as when its write is queued in an ordered sink): a2 starts before a1 is done.
    turns.get('a1')?.release();
    await settle();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    expect(lanes.size).toBe(4);
    finish.get('a2')?.();
    await settle();
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
    // a3's earlier items are not all done while a1 runs.
    expect(turns.get('a3')?.earlierAreDone).toBe(false);
    let earlierDone = false;
    void turns
      .get('a3')
      ?.earlierDone()
      .then(() => (earlierDone = true));
    await settle();
    expect(earlierDone).toBe(false);
    finish.get('a1')?.();
    await settle();
    expect(earlierDone).toBe(true);
    expect(turns.get('a3')?.earlierAreDone).toBe(true);
    finish.get('a3')?.();
    finish.get('b1')?.();
    await lanes.whenIdle();
    expect(lanes.size).toBe(0);
    expect(lanes.activeLanes).toBe(0);
  });

  it('says a conversation is troubled while an item that failed is not done', async () => {
    const finish = new Map<string, () => void>();
    const turns = new Map<string, LaneTurn>();
    const lanes = new SenderLanes<string>(async (item, turn) => {
      turns.set(item, turn);
      turn.release();
      const done = deferred();
      finish.set(item, done.resolve);
      await done.promise;
    });
    lanes.push('a', 'a1');
    lanes.push('a', 'a2');
    lanes.push('b', 'b1');
    await settle();
    turns.get('a1')?.failed();
    expect(turns.get('a2')?.troubled).toBe(true);
    expect(turns.get('b1')?.troubled).toBe(false);
    finish.get('a1')?.();
    await settle();
    expect(turns.get('a2')?.troubled).toBe(false);
    finish.get('a2')?.();
    finish.get('b1')?.();
    await lanes.whenIdle();
  });

  it('starts a conversation again after all its items were released and done', async () => {
    const seen: string[] = [];
    const lanes = new SenderLanes<string>(async (item, turn) => {
      turn.release();
      await settle();
      seen.push(item);
    });
    lanes.push('a', 'a1');
    await lanes.whenIdle();
    lanes.push('a', 'a2');
    await lanes.whenIdle();
    expect(seen).toEqual(['a1', 'a2']);
    expect(lanes.activeLanes).toBe(0);
  });
});
