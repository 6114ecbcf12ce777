import type { ComparisonResult, RunMeasurement, SuiteResult } from '../harness/index';
import { spread } from '../harness/index';
import { fixed, integer, range, ratio, table } from './markdown-format';

/** The goals of issue 16, as ratios of events/s to (a) nothing subscribed. */
export const TELEMETRY_GOALS = { channels: 0.97, otel: 0.9 } as const;

type Measure = (run: RunMeasurement) => number | undefined;

const throughput: Measure = (run) => run.eventsPerSecond;
const publishCallP99: Measure = (run) => run.latency.publishCall?.p99;

/** Per-pair ratio of one side's measure to the baseline's (runs are stored in pair order). */
export function ratioToBaseline(result: ComparisonResult | undefined, side: string, measure = throughput) {
  const base = result?.sides.none?.runs ?? [];
  const ours = result?.sides[side]?.runs ?? [];
  const perPair = ours
    .slice(0, base.length)
    .map((run, i) => {
      const a = measure(base[i]!);
      const b = measure(run);
      return a === undefined || b === undefined || a === 0 ? undefined : b / a;
    })
    .filter((value): value is number => value !== undefined);
  return perPair.length === 0 ? null : spread(perPair);
}

function rows(result: ComparisonResult, withPublishCall: boolean): string[][] {
  return Object.entries(result.sides).map(([id, side]) => {
    const s = side.summary;
    const call = s.latency.publishCall;
    return [
      `${result.title}: ${side.label}`,
      range(s.eventsPerSecond),
      id === 'none' ? '1' : ratio(ratioToBaseline(result, id)),
      withPublishCall && call ? (call.p99 * 1000).toFixed(1) : '-',
      withPublishCall && id !== 'none' ? ratio(ratioToBaseline(result, id, publishCallP99)) : '',
      fixed(s.cpuMicrosPerEvent.median),
      integer(s.peakRssMb.median),
    ];
  });
}

/** The (d) side, in results that have it. */
const METRICS_SIDE =
  '; (d) what `--metrics-port` records per event: `recordMessagingDurations()` on an SDK meter provider with the ' +
  'Prometheus reader, never scraped (the counters are read from `stats()` only when scraped)';

/** Issue 16's overhead table: throughput and `publish()` p99 of (b), (c) and (d) as ratios to (a), same run. */
export function telemetryTable(suite: SuiteResult | undefined): string {
  const publish = suite?.comparisons.find((c) => c.id === 'publish');
  const consume = suite?.comparisons.find((c) => c.id === 'consume');
  if (!publish || !consume) return '_Not measured._';
  return [
    'The sides alternate in one run, one process per run. (a) nothing subscribed to the tracing channels; ' +
      '(b) every tracing channel subscribed by a no-op; (c) `enableTracing()` from `@broker/core/opentelemetry` on an ' +
      `SDK tracer provider with a batch span processor and a no-op exporter${publish.sides.metrics ? METRICS_SIDE : ''}. ` +
      'Ratios are per pair, to (a); a `publish()` ' +
      `p99 ratio above 1 is slower. Goals: (b) >= ${TELEMETRY_GOALS.channels}, (c) >= ${TELEMETRY_GOALS.otel} (events/s).`,
    '',
    `Publish: ${publish.method} Consume: ${consume.method}`,
    '',
    table(
      [
        'side',
        'events/s, median (min–max)',
        'to (a)',
        '`publish()` p99 (µs)',
        '`publish()` p99 to (a)',
        'CPU µs / event',
        'peak RSS (MiB)',
      ],
      [...rows(publish, true), ...rows(consume, false)],
    ),
  ].join('\n');
}
