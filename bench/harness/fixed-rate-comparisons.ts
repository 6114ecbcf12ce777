import { runAlternatingPairs } from './alternating-pairs';
import { positiveInteger } from './bench-options';
import { buildComparison, type ComparisonResult, type SideSpec } from './comparison';
import { printComparison, printRun } from './console-summary';
import type { RunMeasurement } from './run-measurement';

export interface RateSettings {
  /** Events per second of each comparison. */
  rates: number[];
  /** Seconds each measured run lasts at its rate... */
  seconds: number;
  /** ...but at least this many events, so slow rates still give p99.9 from 1,000 samples. */
  minEvents: number;
}

/** `--rates 100,1000,5000` and `--rate-seconds N`; quick mode measures 1,000 events/s for one second. */
export function rateSettings(
  args: { rates?: string; 'rate-seconds'?: string },
  quick: boolean,
): RateSettings {
  return {
    rates: (args.rates ?? (quick ? '1000' : '100,1000,5000'))
      .split(',')
      .map((rate) => positiveInteger('rates', rate, 0)),
    seconds: positiveInteger('rate-seconds', args['rate-seconds'], quick ? 1 : 5),
    minEvents: quick ? 100 : 1000,
  };
}

/**
 * End-to-end latency at each fixed rate, ours against raw, alternating A/B for `pairs` pairs.
 * `run` measures one side at one rate (in its own process) with `events` after `warmup`.
 */
export async function compareAtFixedRates(options: {
  settings: RateSettings;
  pairs: number;
  ours: SideSpec;
  raw: SideSpec;
  /** Who receives the events, for the method text (e.g. "an amqplib consumer"). */
  consumer: string;
  run(side: string, rate: number, events: number, warmup: number): Promise<RunMeasurement>;
}): Promise<ComparisonResult[]> {
  const comparisons: ComparisonResult[] = [];
  const labels = new Map([options.ours, options.raw].map((side) => [side.id, side.label]));
  for (const rate of options.settings.rates) {
    const events = Math.max(options.settings.minEvents, rate * options.settings.seconds);
    // About one second at the rate, so connections, JIT and the consumer are warm.
    const warmup = Math.max(50, Math.min(2000, rate));
    const runs = await runAlternatingPairs<RunMeasurement>({
      sides: [options.ours.id, options.raw.id],
      pairs: options.pairs,
      run: (side) => options.run(side, rate, events, warmup),
      onRun: (side, pair, run) =>
        printRun(
          `${labels.get(side)} at ${rate} ev/s, e2e p99 ${run.latency.endToEnd?.p99.toFixed(1)} ms,`,
          pair,
          run.eventsPerSecond,
        ),
    });
    const comparison = buildComparison({
      id: `end-to-end-${rate}`,
      title: `End-to-end latency at ${rate} events/s`,
      method:
        `Open loop: ${events} events at ${rate}/s after ${warmup} warm-up events at the same rate; latency from each ` +
        `event's scheduled send time to its arrival at ${options.consumer} in the same process.`,
      sides: [options.ours, options.raw],
      runs,
      ours: options.ours.id,
      raw: options.raw.id,
      throughputRatio: false,
    });
    printComparison(comparison);
    comparisons.push(comparison);
  }
  return comparisons;
}
