import type { Percentiles } from './latency-recorder';
import type { RunLatencies, RunMeasurement } from './run-measurement';
import { median, type Spread, spread } from './summary-stats';

/** Percentiles over runs: the median of each run's percentile, and the largest maximum. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface SideSummary {
  runs: number;
  eventsPerSecond: Spread;
  cpuMicrosPerEvent: Spread;
  eventLoopDelayP99Ms: number | null;
  peakRssMb: Spread;
  latency: Partial<Record<keyof RunLatencies, LatencySummary>>;
}

export interface SideResult {
  /** Shown in tables, e.g. `PikaEventBroker` or `raw amqplib`. */
  label: string;
  summary: SideSummary;
  runs: RunMeasurement[];
}

export interface ComparisonResult {
  id: string;
  title: string;
  /** How the comparison is run, one or two sentences for BENCHMARKS.md. */
  method: string;
  /** Our side and the raw client it is compared with (the ratio is ours / raw); null when there is no pair. */
  ours: string | null;
  raw: string | null;
  sides: Record<string, SideResult>;
  /** Events/s of ours / raw, per pair, with median and range; null without a pair or for fixed-rate runs. */
  ratio: (Spread & { perPair: number[] }) | null;
}

export interface SideSpec {
  id: string;
  label: string;
}

export function summariseSide(runs: readonly RunMeasurement[]): SideSummary {
  const latency: SideSummary['latency'] = {};
  for (const kind of ['ack', 'endToEnd', 'publishCall', 'save'] as const) {
    const values = runs.map((run) => run.latency[kind]).filter((p): p is Percentiles => p !== undefined);
    if (values.length === 0) continue;
    latency[kind] = {
      p50: median(values.map((p) => p.p50)),
      p90: median(values.map((p) => p.p90)),
      p99: median(values.map((p) => p.p99)),
      p999: median(values.map((p) => p.p999)),
      max: Math.max(...values.map((p) => p.max)),
    };
  }
  const delays = runs.map((run) => run.eventLoopDelayP99Ms).filter((d): d is number => d !== null);
  return {
    runs: runs.length,
    eventsPerSecond: spread(runs.map((run) => run.eventsPerSecond)),
    cpuMicrosPerEvent: spread(runs.map((run) => run.cpuMicrosPerEvent)),
    eventLoopDelayP99Ms: delays.length > 0 ? median(delays) : null,
    peakRssMb: spread(runs.map((run) => run.peakRssMb)),
    latency,
  };
}

/** Builds a comparison from each side's runs (in pair order); the ratio pairs run i of ours with run i of raw. */
export function buildComparison(options: {
  id: string;
  title: string;
  method: string;
  sides: readonly SideSpec[];
  runs: Map<string, RunMeasurement[]>;
  ours?: string;
  raw?: string;
  /** False for fixed-rate runs, whose events/s is the schedule's, not a capacity. Default true. */
  throughputRatio?: boolean;
}): ComparisonResult {
  const sides: Record<string, SideResult> = {};
  for (const side of options.sides) {
    const runs = options.runs.get(side.id) ?? [];
    sides[side.id] = { label: side.label, summary: summariseSide(runs), runs };
  }
  let ratio: ComparisonResult['ratio'] = null;
  if (options.ours && options.raw && options.throughputRatio !== false) {
    const ours = options.runs.get(options.ours) ?? [];
    const raw = options.runs.get(options.raw) ?? [];
    const perPair = ours.slice(0, raw.length).map((run, i) => run.eventsPerSecond / raw[i]!.eventsPerSecond);
    ratio = { ...spread(perPair), perPair };
  }
  return {
    id: options.id,
    title: options.title,
    method: options.method,
    ours: options.ours ?? null,
    raw: options.raw ?? null,
    sides,
    ratio,
  };
}
