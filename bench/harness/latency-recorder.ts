import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';

/** Latency percentiles in milliseconds, read from an HDR histogram. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * One latency per operation into a `perf_hooks` histogram (nanosecond resolution, three
 * significant digits), so percentiles come from every sample and not from averages.
 */
export class LatencyRecorder {
  private readonly histogram: RecordableHistogram = createHistogram();

  /** Records a duration given in milliseconds (fractions allowed). */
  record(ms: number): void {
    this.histogram.record(Math.max(1, Math.round(ms * 1e6)));
  }

  /** Records the time from `startMs` (a `performance.now()` value) to `endMs` (default: now). */
  recordSince(startMs: number, endMs = performance.now()): void {
    this.record(endMs - startMs);
  }

  get count(): number {
    return this.histogram.count;
  }

  percentiles(): Percentiles {
    const ms = (ns: number) => ns / 1e6;
    if (this.histogram.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: this.histogram.count,
      p50: ms(this.histogram.percentile(50)),
      p90: ms(this.histogram.percentile(90)),
      p99: ms(this.histogram.percentile(99)),
      p999: ms(this.histogram.percentile(99.9)),
      max: ms(this.histogram.max),
    };
  }
}
