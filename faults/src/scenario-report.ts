import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatWithBiome } from 'broker-bench-harness';
import type { LedgerReport } from './event-ledger';
import type { FaultScenarioResult } from './scenario-result';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Builds a scenario's result from its ledger, writes faults/results/<id>.json and prints a summary line. */
export function recordScenario(
  scenario: Pick<FaultScenarioResult, 'id' | 'title' | 'broker' | 'fault' | 'recovery'>,
  ledger: LedgerReport,
  timings: { recoveryMs: number; durationMs: number },
): FaultScenarioResult {
  const result: FaultScenarioResult = {
    ...scenario,
    date: new Date().toISOString(),
    senders: ledger.senders,
    accepted: ledger.accepted,
    seen: ledger.seen,
    lost: ledger.lost,
    duplicated: ledger.duplicated,
    reorderedSenders: ledger.reordered.length,
    recoveryMs: Math.round(timings.recoveryMs),
    durationMs: Math.round(timings.durationMs),
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${scenario.id}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  formatWithBiome([file]);
  process.stdout.write(
    `[faults] ${scenario.broker}: ${scenario.title}: accepted ${result.accepted}, seen ${result.seen}, lost ${result.lost}, ` +
      `duplicated ${result.duplicated}, reordered ${result.reorderedSenders} of ${result.senders} conversations, ` +
      `recovery ${(result.recoveryMs / 1000).toFixed(2)} s\n`,
  );
  return result;
}
