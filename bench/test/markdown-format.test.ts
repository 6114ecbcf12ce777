import { describe, expect, it } from 'vitest';
import { ms, range, ratio, table } from '../report/markdown-format';

describe('BENCHMARKS.md formatting', () => {
  it('writes a Markdown table with a separator row', () => {
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });

  it('prints milliseconds with a precision that suits their size', () => {
    expect(ms(0.01234)).toBe('0.012');
    expect(ms(5.678)).toBe('5.68');
    expect(ms(56.78)).toBe('56.8');
    expect(ms(1234.5)).toBe('1,235');
    expect(ms(undefined)).toBe('-');
  });

  it('shows a median with its range, and a ratio in bold', () => {
    expect(range({ median: 1000, min: 900, max: 1100 })).toBe('1,000 (900–1,100)');
    expect(ratio({ median: 0.953, min: 0.9, max: 1.01 })).toBe('**0.95** (0.90–1.01)');
    expect(ratio(null)).toBe('-');
  });
});
