import { InvalidArgumentError } from 'commander';

/** `--concurrency 8`: a whole number within bounds. */
export function wholeNumber(option: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(
        `${option} must be a whole number between ${min} and ${max}, got ${JSON.stringify(value)}.`,
      );
    }
    return number;
  };
}

/** `--minimum-timestamp 1716801234.5`: seconds since the epoch (a float, as Rasa's). */
export function seconds(option: string) {
  return (value: string): number => {
    const number = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(number)) {
      throw new InvalidArgumentError(
        `${option} must be a number of seconds (e.g. 1716801234.5), got ${JSON.stringify(value)}.`,
      );
    }
    return number;
  };
}

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `--max-outage 30s`: a duration with its unit (`1500ms`, `30s`, `5m`, `1.5h`), in ms. */
export function duration(option: string) {
  return (value: string): number => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
    const ms = match
      ? Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]
      : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new InvalidArgumentError(
        `${option} must be a duration with its unit, e.g. 1500ms, 30s, 5m or 2h; got ${JSON.stringify(value)}.`,
      );
    }
    return Math.round(ms);
  };
}

/** `--type user,bot`: a comma-separated list, repeatable. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

export function choice<T extends string>(option: string, allowed: readonly T[]) {
  return (value: string): T => {
    const match = allowed.find((candidate) => candidate === value.trim().toLowerCase());
    if (!match)
      throw new InvalidArgumentError(
        `${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`,
      );
    return match;
  };
}
