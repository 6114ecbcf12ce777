import { describe, expect, it } from 'vitest';
import { retryDelay } from '../src/index';

describe('retryDelay', () => {
  it('doubles from the initial delay up to the cap, half of it random', () => {
    const low = (attempt: number) => retryDelay(attempt, { initialMs: 100, maxMs: 1000, random: () => 0 });
    const high = (attempt: number) =>
      retryDelay(attempt, { initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 10].map(low)).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map(high)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('never overflows for huge attempt numbers', () => {
    expect(retryDelay(10_000, { initialMs: 100, maxMs: 30_000, random: () => 0.5 })).toBe(22_500);
  });
});
