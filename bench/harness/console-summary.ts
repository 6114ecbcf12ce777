import type { ComparisonResult } from './comparison';

const integer = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) => (n === undefined ? '-' : n < 1 ? n.toFixed(3) : n.toFixed(1));

/** A few readable lines per comparison for the terminal; the JSON result has everything. */
export function printComparison(comparison: ComparisonResult): void {
  console.log(`\n${comparison.title}`);
  for (const side of Object.values(comparison.sides)) {
    const s = side.summary;
    const parts = [
      `${side.label.padEnd(28)} ${integer(s.eventsPerSecond.median).padStart(8)} ev/s (${integer(s.eventsPerSecond.min)}-${integer(s.eventsPerSecond.max)})`,
    ];
    const latency = s.latency.ack ?? s.latency.endToEnd ?? s.latency.save;
    if (latency) {
      const kind = s.latency.ack ? 'ack' : s.latency.endToEnd ? 'e2e' : 'save';
      parts.push(`${kind} p50/p99/p99.9 ${ms(latency.p50)}/${ms(latency.p99)}/${ms(latency.p999)} ms`);
    }
    if (s.latency.publishCall) {
      parts.push(`publish() p99 ${(s.latency.publishCall.p99 * 1000).toFixed(1)} µs`);
    }
    parts.push(`${s.cpuMicrosPerEvent.median.toFixed(1)} CPU-µs/ev`);
    if (s.eventLoopDelayP99Ms !== null) parts.push(`loop p99 ${ms(s.eventLoopDelayP99Ms)} ms`);
    parts.push(`RSS ${Math.round(s.peakRssMb.median)} MiB`);
    console.log(`  ${parts.join('; ')}`);
  }
  if (comparison.ratio) {
    const r = comparison.ratio;
    console.log(
      `  ratio ${comparison.ours}/${comparison.raw}: median ${r.median.toFixed(3)} (min ${r.min.toFixed(3)}, max ${r.max.toFixed(3)})`,
    );
  }
}

/** One line per finished run, so a long benchmark shows progress. */
export function printRun(label: string, pair: number, eventsPerSecond: number): void {
  console.log(`  pair ${pair + 1}: ${label} ${integer(eventsPerSecond)} ev/s`);
}
