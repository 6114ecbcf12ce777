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
