import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ComparisonResult } from './comparison';
import { type MachineInfo, machineInfo } from './environment';
import { formatWithBiome } from './format-generated';

/** What one benchmark script writes: its comparisons plus where and with what it ran. */
export interface SuiteResult {
  /** e.g. `rabbitmq-publish`; the orchestrator keys results by it. */
  suite: string;
  title: string;
  date: string;
  quick: boolean;
  /** Machine and load when the suite started. */
  machine: MachineInfo;
  /** 1-minute load average when it ended. */
  loadAverageAtEnd: number;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  comparisons: ComparisonResult[];
  /** Results that are not an A/B comparison (e.g. memory under an outage). */
  findings?: Record<string, unknown>;
}

/** Starts a suite result now (machine and load as they are at the start). */
export function beginSuite(
  suite: string,
  title: string,
  quick: boolean,
): Omit<SuiteResult, 'loadAverageAtEnd'> {
  return {
    suite,
    title,
    date: new Date().toISOString(),
    quick,
    machine: machineInfo(),
    versions: { node: process.version },
    settings: {},
    comparisons: [],
  };
}

/** Writes the finished suite as JSON (creating the folder) and returns it. */
export function writeSuiteResult(path: string, suite: Omit<SuiteResult, 'loadAverageAtEnd'>): SuiteResult {
  const result: SuiteResult = { ...suite, loadAverageAtEnd: machineInfo().loadAverage[0] };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  formatWithBiome([path]);
  return result;
}
