import { describe, expect, it } from 'vitest';
import { RecentDeliveries } from '../src/consumer/recent-deliveries';

describe('RecentDeliveries', () => {
  it('remembers the last N keys and forgets the oldest first', () => {
    const recent = new RecentDeliveries(3);
    for (const key of ['a', 'b', 'c']) recent.add(key);
    // Adding one already remembered changes nothing (it does not push another one out).
    recent.add('a');
    expect(['a', 'b', 'c'].map((key) => recent.has(key))).toEqual([true, true, true]);
    recent.add('d');
    expect(['a', 'b', 'c', 'd'].map((key) => recent.has(key))).toEqual([false, true, true, true]);
    for (const key of ['e', 'f', 'g']) recent.add(key);
    expect(['d', 'e', 'f', 'g'].map((key) => recent.has(key))).toEqual([false, true, true, true]);
  });

  it('keeps exactly its capacity over many additions', () => {
    const recent = new RecentDeliveries(1000);
    for (let i = 0; i < 25_000; i++) recent.add(`m${i}`);
    // The last 1000 of 25 000 are m24000 to m24999.
    expect(['m24999', 'm24000', 'm23999', 'm0'].map((key) => recent.has(key))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('with capacity 0 remembers nothing', () => {
    const recent = new RecentDeliveries(0);
    recent.add('a');
    expect(recent.has('a')).toBe(false);
  });
});
