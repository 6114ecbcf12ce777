import type { FaultScenarioResult } from '../../faults/src/scenario-result';
import type { ComparisonResult, SideResult, SuiteResult } from '../harness/index';
import { day, fixed, integer, ms, range, ratio, table } from './markdown-format';
import { ratioToBaseline, TELEMETRY_GOALS } from './telemetry-section';

/** The outage benchmark's finding (see packages/pika/bench/outage-memory-bench.ts). */
interface OutageMemory {
  boundMiB: number;
  pendingMiB: number;
  pendingEvents: number;
  published: number;
  dropped: number;
  baselineRssMiB: number;
  rssGrowthAtFullMiB: number;
  peakRssGrowthMiB: number;
  retainedHeapAtFullMiB: number;
  retainedHeapAtEndMiB: number;
  overheadBytesPerEvent: number;
  withinBound: boolean;
  bufferedAtRestart: number;
  deliveredEvents: number;
  deliverySeconds: number;
}

const us = (valueMs: number | undefined) => (valueMs === undefined ? '-' : (valueMs * 1000).toFixed(1));

export function machineSection(suites: SuiteResult[]): string {
  const first = suites[0];
  if (!first) return '## Machine\n\nNo results recorded yet: run `pnpm bench`.';
  const versions: Record<string, string> = {};
  for (const suite of suites) Object.assign(versions, suite.versions);
  const m = first.machine;
  const lines = [
    '## Machine, versions and load',
    '',
    `- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.kernel}. Brokers and benchmarks share the machine (no pinning).`,
    `- **Versions:** Node ${versions.node ?? '?'}, amqplib ${versions.amqplib ?? '?'}, kafkajs ${versions.kafkajs ?? '?'}, ` +
      `${versions.rabbitmq ?? 'RabbitMQ ?'}, Kafka ${versions.kafka ?? '?'} (KRaft, single node), ` +
      `Python ${versions.python ?? '?'} with pika ${versions.pika ?? '?'} and kafka-python ${versions.kafkaPython ?? '?'} (Debian packages).`,
    '- **Load:** a suite keeps about two processes busy by itself (the broker and the measured client), so a ' +
      "load average near 2 is the benchmark alone; other engineers' test suites ran on the same 2 cores during some " +
      'runs. Each suite records the load average it saw:',
    '',
    table(
      ['suite', 'run at (UTC)', 'mode', 'load 1 / 5 / 15 min at start', 'load 1 min at end'],
      suites.map((suite) => [
        suite.suite,
        day(suite.date),
        suite.quick ? 'quick' : 'full',
        suite.machine.loadAverage.map((n) => n.toFixed(2)).join(' / '),
        suite.loadAverageAtEnd.toFixed(2),
      ]),
    ),
  ];
  return lines.join('\n');
}

function comparison(suite: SuiteResult | undefined, id: string): ComparisonResult | undefined {
  return suite?.comparisons.find((c) => c.id === id);
}

/** The adapter issues' targets, each with what was measured. */
export function targetsSection(suites: Map<string, SuiteResult>, faults: FaultScenarioResult[]): string {
  const rows: string[][] = [];
  const verdict = (ok: boolean | undefined) =>
    ok === undefined ? 'not measured' : ok ? 'met' : '**missed**';
  const pika = comparison(suites.get('rabbitmq-publish'), 'throughput');
  const pikaCall = pika?.sides.pika?.summary.latency.publishCall;
  rows.push([
    'RabbitMQ: PikaEventBroker >= 0.9 x raw amqplib (events/s)',
    ratio(pika?.ratio ?? null),
    verdict(pika?.ratio ? pika.ratio.median >= 0.9 : undefined),
  ]);
  rows.push([
    'RabbitMQ: `publish()` p99 well under 1 ms',
    pikaCall ? `${us(pikaCall.p99)} µs (p50 ${us(pikaCall.p50)} µs)` : '-',
    verdict(pikaCall ? pikaCall.p99 < 0.25 : undefined),
  ]);
  const kafka = comparison(suites.get('kafka-publish'), 'throughput');
  rows.push([
    'Kafka: KafkaEventBroker >= 0.9 x raw kafkajs (events/s)',
    ratio(kafka?.ratio ?? null),
    verdict(kafka?.ratio ? kafka.ratio.median >= 0.9 : undefined),
  ]);
  for (const [id, label] of [
    ['rabbitmq-stdout', 'RabbitMQ'],
    ['kafka-stdout', 'Kafka'],
  ] as const) {
    const consumer = comparison(suites.get('consumers'), id);
    rows.push([
      `Consumers (${label}, stdout sink) >= 0.8 x raw client`,
      ratio(consumer?.ratio ?? null),
      verdict(consumer?.ratio ? consumer.ratio.median >= 0.8 : undefined),
    ]);
  }
  const outage = suites.get('rabbitmq-outage-memory')?.findings?.outageMemory as OutageMemory | undefined;
  rows.push([
    'Memory while RabbitMQ is down stays within the configured bound',
    outage
      ? `bound ${outage.boundMiB} MiB: ${fixed(outage.pendingMiB)} MiB pending, heap +${fixed(outage.retainedHeapAtFullMiB)} MiB retained`
      : '-',
    verdict(outage?.withinBound),
  ]);
  const telemetry = suites.get('telemetry-overhead');
  for (const [side, label] of [
    ['channels', 'Tracing channels subscribed by a no-op'],
    ['otel', 'OpenTelemetry tracing, no-op exporter'],
  ] as const) {
    for (const id of ['publish', 'consume'] as const) {
      const measured = ratioToBaseline(comparison(telemetry, id), side);
      rows.push([
        `${label}: RabbitMQ ${id} >= ${TELEMETRY_GOALS[side]} x nothing subscribed (events/s)`,
        ratio(measured),
        verdict(measured ? measured.median >= TELEMETRY_GOALS[side] : undefined),
      ]);
    }
  }
  if (faults.length > 0) {
    const lost = faults.reduce((sum, f) => sum + f.lost, 0);
    const reordered = faults.reduce((sum, f) => sum + f.reorderedSenders, 0);
    rows.push([
      'Fault suite: nothing lost, nothing reordered per conversation',
      `${faults.length} scenarios: ${lost} lost, ${reordered} reordered`,
      verdict(lost === 0 && reordered === 0),
    ]);
  }
  return ['## Targets', '', table(['target', 'measured (median, min–max over pairs)', ''], rows)].join('\n');
}

function throughputRow(id: string, side: SideResult, result: ComparisonResult): string[] {
  const s = side.summary;
  return [
    side.label,
    range(s.eventsPerSecond),
    id === result.ours ? ratio(result.ratio) : '',
    s.latency.ack ? `${ms(s.latency.ack.p50)} / ${ms(s.latency.ack.p99)} / ${ms(s.latency.ack.p999)}` : '-',
    s.latency.publishCall ? `${us(s.latency.publishCall.p50)} / ${us(s.latency.publishCall.p99)}` : '-',
    fixed(s.cpuMicrosPerEvent.median),
    fixed(s.eventLoopDelayP99Ms),
    integer(s.peakRssMb.median),
  ];
}

/** A closed-loop throughput comparison: one row per side. */
export function throughputTable(result: ComparisonResult | undefined): string {
  if (!result) return '_Not measured._';
  return [
    result.method,
    '',
    table(
      [
        'side',
        'events/s, median (min–max)',
        'ours / raw',
        'publish → confirm p50 / p99 / p99.9 (ms)',
        '`publish()` call p50 / p99 (µs)',
        'CPU µs / event',
        'event-loop delay p99 (ms)',
        'peak RSS (MiB)',
      ],
      Object.entries(result.sides).map(([id, side]) => throughputRow(id, side, result)),
    ),
  ].join('\n');
}

/** Every fixed-rate comparison of a suite, one row per rate and side. */
export function endToEndTable(suite: SuiteResult | undefined): string {
  const rated = suite?.comparisons.filter((c) => c.id.startsWith('end-to-end-')) ?? [];
  if (rated.length === 0) return '_Not measured._';
  const rows: string[][] = [];
  for (const result of rated) {
    const rate = result.id.slice('end-to-end-'.length);
    for (const side of Object.values(result.sides)) {
      const e2e = side.summary.latency.endToEnd;
      rows.push([
        integer(Number(rate)),
        side.label,
        e2e ? `${ms(e2e.p50)} / ${ms(e2e.p90)} / ${ms(e2e.p99)} / ${ms(e2e.p999)}` : '-',
        e2e ? ms(e2e.max) : '-',
        fixed(side.summary.cpuMicrosPerEvent.median),
        fixed(side.summary.eventLoopDelayP99Ms),
        integer(side.summary.peakRssMb.median),
      ]);
    }
  }
  return [
    rated[0]!.method.replace(/^Open loop: \d+ events at \d+\/s/, 'Open loop at a fixed rate'),
    '',
    table(
      [
        'events/s',
        'side',
        'end-to-end p50 / p90 / p99 / p99.9 (ms)',
        'max (ms)',
        'CPU µs / event (incl. consumer)',
        'event-loop delay p99 (ms)',
        'peak RSS (MiB)',
      ],
      rows,
    ),
  ].join('\n');
}

export function consumersTable(suite: SuiteResult | undefined): string {
  if (!suite) return '_Not measured._';
  const rows: string[][] = [];
  for (const result of suite.comparisons) {
    for (const [id, side] of Object.entries(result.sides)) {
      rows.push([
        result.title,
        side.label,
        range(side.summary.eventsPerSecond),
        id === result.ours ? ratio(result.ratio) : '',
        fixed(side.summary.cpuMicrosPerEvent.median),
        fixed(side.summary.eventLoopDelayP99Ms),
        integer(side.summary.peakRssMb.median),
      ]);
    }
  }
  return [
    suite.comparisons[0]?.method.replace(/ The raw side.*$/, '') ?? '',
    'Both sides write to stdout, pointed at /dev/null. In the PostgreSQL rows the raw client still writes ' +
      'to stdout: their ratio is what storing the events (in batched transactions) costs, not our overhead.',
    '',
    table(
      [
        'stream',
        'side',
        'messages/s, median (min–max)',
        'ours / raw',
        'CPU µs / message',
        'event-loop delay p99 (ms)',
        'peak RSS (MiB)',
      ],
      rows,
    ),
  ].join('\n');
}

export function trackerStoreTable(suite: SuiteResult | undefined): string {
  const result = suite?.comparisons[0];
  if (!result) return '_Not measured._';
  const base = result.sides.none?.summary.latency.save;
  const rows = Object.entries(result.sides).map(([id, side]) => {
    const save = side.summary.latency.save;
    const added = (kind: 'p50' | 'p99') =>
      id === 'none' || !save || !base ? '' : `+${ms(save[kind] - base[kind])}`;
    return [
      side.label,
      save ? `${ms(save.p50)} / ${ms(save.p90)} / ${ms(save.p99)} / ${ms(save.p999)}` : '-',
      added('p50'),
      added('p99'),
      range(side.summary.eventsPerSecond),
      fixed(side.summary.cpuMicrosPerEvent.median),
      fixed(side.summary.eventLoopDelayP99Ms),
      integer(side.summary.peakRssMb.median),
    ];
  });
  return [
    result.method,
    '',
    table(
      [
        'broker',
        '`save()` p50 / p90 / p99 / p99.9 (ms)',
        'added p50 (ms)',
        'added p99 (ms)',
        'turns/s',
        'CPU µs / turn',
        'event-loop delay p99 (ms)',
        'peak RSS (MiB)',
      ],
      rows,
    ),
  ].join('\n');
}

export function outageTable(suite: SuiteResult | undefined): string {
  const outage = suite?.findings?.outageMemory as OutageMemory | undefined;
  if (!outage) return '_Not measured._';
  return [
    'The `fault` RabbitMQ node is stopped; a `PikaEventBroker` with `startup: buffer`, `buffer_max_bytes` as below and ' +
      '`buffer_overflow: drop-oldest` keeps accepting event objects (serialised by `publish`, as a tracker store does) ' +
      'until the buffer is full, then three times as many in all. Heap figures are after a forced GC; RSS is sampled. ' +
      'Then the node is started again and the buffered events are delivered.',
    '',
    table(
      ['', 'configured bound', 'measured'],
      [
        [
          'pending body bytes',
          `${outage.boundMiB} MiB`,
          `${fixed(outage.pendingMiB)} MiB (${integer(outage.pendingEvents)} events)`,
        ],
        [
          'heap retained with the buffer full',
          '-',
          `+${fixed(outage.retainedHeapAtFullMiB)} MiB (${integer(outage.overheadBytesPerEvent)} B per event beyond its body)`,
        ],
        [
          'heap retained after 3x the bound was published',
          'no growth',
          `+${fixed(outage.retainedHeapAtEndMiB)} MiB (${integer(outage.dropped)} of ${integer(outage.published)} dropped, oldest first)`,
        ],
        [
          'RSS growth when the buffer became full',
          '-',
          `+${fixed(outage.rssGrowthAtFullMiB)} MiB (baseline ${fixed(outage.baselineRssMiB)} MiB)`,
        ],
        [
          'peak RSS growth during the outage',
          '-',
          `+${fixed(outage.peakRssGrowthMiB)} MiB (young-generation garbage of the serialisation)`,
        ],
        [
          'after the node came back',
          `${integer(outage.bufferedAtRestart)} buffered`,
          `${integer(outage.deliveredEvents)} confirmed in ${fixed(outage.deliverySeconds)} s`,
        ],
        ['within bound', '', outage.withinBound ? 'yes' : '**no**'],
      ],
    ),
  ].join('\n');
}

/** The order scenarios appear in: RabbitMQ first, producer faults before the consumer one. */
const SCENARIO_ORDER = [
  'rabbitmq-node-restart',
  'rabbitmq-connection-close',
  'rabbitmq-network-cut',
  'rabbitmq-down-at-start',
  'rabbitmq-consumer-restart',
  'kafka-leader-stop',
  'kafka-broker-restart',
  'kafka-consumer-restart',
];

export function faultsTable(recorded: FaultScenarioResult[]): string {
  if (recorded.length === 0) return '_No fault scenario recorded yet: run `pnpm test:faults`._';
  const position = (id: string) =>
    SCENARIO_ORDER.includes(id) ? SCENARIO_ORDER.indexOf(id) : SCENARIO_ORDER.length;
  const faults = [...recorded].sort((a, b) => position(a.id) - position(b.id));
  return [
    'Each scenario publishes numbered events of several conversations through our code while the fault happens, ' +
      'keeps a ledger of every event `publish` accepted, and compares it with what a consumer saw afterwards ' +
      '(the raw client reading the whole queue or topic; for consumer restarts, what our consumer handled).',
    '',
    table(
      [
        'scenario',
        'fault',
        'accepted',
        'seen',
        'lost',
        'duplicated',
        'reordered conversations',
        'recovery',
        'run at (UTC)',
      ],
      faults.map((f) => [
        `${f.broker}: ${f.title}`,
        f.fault,
        integer(f.accepted),
        integer(f.seen),
        f.lost === 0 ? '0' : `**${f.lost}**`,
        integer(f.duplicated),
        f.reorderedSenders === 0 ? `0 of ${f.senders}` : `**${f.reorderedSenders}** of ${f.senders}`,
        `${(f.recoveryMs / 1000).toFixed(2)} s: ${f.recovery}`,
        day(f.date),
      ]),
    ),
  ].join('\n');
}
