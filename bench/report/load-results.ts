import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteResult } from 'broker-bench-harness';
import type { FaultScenarioResult } from 'broker-faults/scenario-result';

/** The committed results: one JSON per benchmark suite (bench/results) and per fault scenario (faults/results). */
export interface RecordedResults {
  suites: Map<string, SuiteResult>;
  faults: FaultScenarioResult[];
}

function readJsonFiles<T>(directory: string): T[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as T);
}

export function loadRecordedResults(root: string): RecordedResults {
  const suites = new Map<string, SuiteResult>();
  for (const suite of readJsonFiles<SuiteResult>(join(root, 'bench', 'results')))
    suites.set(suite.suite, suite);
  return { suites, faults: readJsonFiles<FaultScenarioResult>(join(root, 'faults', 'results')) };
}
