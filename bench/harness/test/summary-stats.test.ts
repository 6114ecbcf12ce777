import { describe, expect, it } from 'vitest';
import { median, spread } from '../summary-stats';

describe('median and spread', () => {
  it('takes the middle value of an odd series and the mean of the two middle values of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('reports NaN for an empty series instead of inventing a number', () => {
    expect(median([])).toBeNaN();
    expect(spread([]).min).toBeNaN();
  });

  it('gives median, min and max', () => {
    expect(spread([10, 30, 20, 50, 40])).toEqual({ median: 30, min: 10, max: 50 });
  });
});
