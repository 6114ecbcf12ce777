import { runAlternatingPairs } from './alternating-pairs';
import { buildComparison, type ComparisonResult, type SideSpec } from './comparison';
import { printComparison, printRun } from './console-summary';
import type { RunMeasurement } from './run-measurement';

/**
 * Publishing event objects, as a tracker store does (`{sender_id, ...event}` built for each
 * publish): our broker writes them in Rasa's format, the raw client sends `JSON.stringify` of
 * the same objects. Alternates A/B for `pairs` pairs; `run` measures one side in its own process.
 */
export async function compareObjectPublishing(options: {
  pairs: number;
  ours: SideSpec;
  raw: SideSpec;
  title: string;
  /** The closed-loop method of the suite's throughput runs. */
  method: string;
  run(side: string): Promise<RunMeasurement>;
}): Promise<ComparisonResult> {
  const labels = new Map([
    [options.ours.id, options.ours.label],
    [options.raw.id, `${options.raw.label} + JSON.stringify`],
  ]);
  const runs = await runAlternatingPairs<RunMeasurement>({
    sides: [options.ours.id, options.raw.id],
    pairs: options.pairs,
    run: (side) => options.run(side),
    onRun: (side, pair, run) => printRun(`${labels.get(side)} (event objects)`, pair, run.eventsPerSecond),
  });
  const comparison = buildComparison({
    id: 'throughput-objects',
    title: options.title,
    method:
      `${options.method} Events are published as the objects a tracker store publishes ` +
      `(\`{sender_id, ...event}\`, built for each publish): ${options.ours.label} writes them in Rasa's format, ` +
      `${options.raw.label} sends \`JSON.stringify\` of the same objects.`,
    sides: [...labels].map(([id, label]) => ({ id, label })),
    runs,
    ours: options.ours.id,
    raw: options.raw.id,
  });
  printComparison(comparison);
  return comparison;
}
