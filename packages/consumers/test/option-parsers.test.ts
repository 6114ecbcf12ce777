import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { duration } from '../src/cli/option-parsers';

describe('duration', () => {
  const parse = duration('--max-outage');

  it('reads a number with its unit into ms', () => {
    expect(['1500ms', '30s', '5m', '2h', '1.5s', ' 20s '].map(parse)).toEqual([
      1500, 30_000, 300_000, 7_200_000, 1500, 20_000,
    ]);
  });

  it('refuses a number without a unit or anything else, naming the option and an example', () => {
    for (const value of ['30', '', 's', '-5s', '5 minutes', '1e3s']) {
      expect(() => parse(value)).toThrowError(InvalidArgumentError);
    }
    expect(() => parse('30')).toThrowError(
      '--max-outage must be a duration with its unit, e.g. 1500ms, 30s, 5m or 2h; got "30".',
    );
  });
});
