import { parseArgs } from 'node:util';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** Parsed values: booleans for flags, strings for the rest (absent when not given and without default). */
export type BenchOptionValues<T extends OptionSpec> = {
  quick?: boolean;
  pairs?: string;
  out?: string;
} & { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Command-line options of a benchmark script: `--quick`, `--pairs N`, `--out file.json` plus
 * the script's own. Unknown options are an error that lists the known ones.
 */
export function benchOptions<T extends OptionSpec>(
  own: T,
  argv = process.argv.slice(2),
): BenchOptionValues<T> {
  const options = {
    quick: { type: 'boolean', default: false },
    pairs: { type: 'string' },
    out: { type: 'string' },
    ...own,
  } as const;
  try {
    return parseArgs({ args: argv.filter((arg) => arg !== '--'), options, allowPositionals: false })
      .values as BenchOptionValues<T>;
  } catch (error) {
    const known = Object.keys(options)
      .map((name) => `--${name}`)
      .join(', ');
    throw new Error(`${(error as Error).message}. Options: ${known}.`);
  }
}

/** A whole number >= 1 from an option, or `fallback` when it was not given. */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`--${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** How long a closed-loop run is, in messages: discarded warm-up, then the measured stretch. */
export interface ClosedLoopLength {
  warmup: number;
  measured: number;
}

/**
 * The benchmark guide's closed-loop method: 20 000 messages of warm-up, discarded, then 200 000
 * measured (`--<countOption> N`, `--warmup N` override them). Shorter runs mostly time the JIT
 * warming up, which flatters whichever side has less code. Quick mode only proves the run works.
 */
export function closedLoopLength(
  countOption: string,
  values: { count?: unknown; warmup?: unknown },
  quick: boolean,
): ClosedLoopLength {
  return {
    warmup: positiveInteger('warmup', values.warmup, quick ? 500 : 20_000),
    measured: positiveInteger(countOption, values.count, quick ? 3000 : 200_000),
  };
}
