/**
 * `pnpm bench`: runs every benchmark against the local brokers, one suite after the other,
 * writes each suite's JSON result to bench/results/ and regenerates BENCHMARKS.md.
 *
 *   pnpm bench                       # full mode (by hand; about half an hour on 2 cores)
 *   pnpm bench --quick               # seconds per suite: checks that every benchmark still runs
 *   pnpm bench --only kafka-publish,consumers
 *
 * Quick mode writes to a temporary folder and leaves bench/results/ and BENCHMARKS.md alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireKafka, requireRabbitMq } from '../services/endpoints.mjs';
import { benchOptions, machineInfo, type SuiteResult, TSX_LOADER } from './harness/index';
import { writeBenchmarksMarkdown } from './report/write-benchmarks-markdown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every suite: where its script lives (run from its package folder). */
export const SUITES = [
  { id: 'rabbitmq-publish', script: 'packages/pika/bench/publish-bench.ts' },
  { id: 'rabbitmq-outage-memory', script: 'packages/pika/bench/outage-memory-bench.ts' },
  { id: 'kafka-publish', script: 'packages/kafka/bench/publish-bench.ts' },
  { id: 'consumers', script: 'packages/consumers/bench/consume-bench.ts' },
  { id: 'tracker-store', script: 'bench/tracker-store/tracker-store-bench.ts' },
  { id: 'telemetry-overhead', script: 'packages/consumers/bench/telemetry-bench.ts' },
] as const;

function runSuite(script: string, args: string[]): Promise<void> {
  const path = join(root, script);
  const cwd = script.startsWith('packages/')
    ? join(root, ...script.split('/').slice(0, 2))
    : join(root, 'bench');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, path, ...args], { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${script} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

/** A quick run only proves the benchmark still works: every comparison has runs with real numbers. */
function checkQuickResult(file: string): string[] {
  if (!existsSync(file)) return [`${file} was not written`];
  const suite = JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  const problems: string[] = [];
  if (suite.comparisons.length === 0 && !suite.findings) problems.push(`${suite.suite}: no results`);
  for (const comparison of suite.comparisons) {
    for (const [id, side] of Object.entries(comparison.sides)) {
      const rate = side.summary.eventsPerSecond.median;
      if (side.runs.length === 0 || !Number.isFinite(rate) || rate <= 0) {
        problems.push(`${suite.suite} / ${comparison.id} / ${id}: no valid run`);
      }
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const args = benchOptions({ only: { type: 'string' } });
  const quick = args.quick === true;
  const only = args.only?.split(',').map((id) => id.trim());
  const unknown = only?.filter((id) => !SUITES.some((suite) => suite.id === id)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.id).join(', ')}`);
  }
  await requireRabbitMq('main');
  await requireRabbitMq('fault');
  await requireKafka('single');

  const machine = machineInfo();
  console.log(
    `${quick ? 'Quick' : 'Full'} benchmark run on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
      `load average ${machine.loadAverage.join(' / ')}`,
  );
  if (!quick && machine.loadAverage[0] > machine.cores) {
    console.log(
      `note: the 1-minute load (${machine.loadAverage[0]}) is above the core count; numbers will be noisy. ` +
        'Each suite records the load it saw.',
    );
  }
  const resultsDir = quick
    ? mkdtempSync(join(tmpdir(), 'broker-bench-quick-'))
    : join(root, 'bench', 'results');
  const problems: string[] = [];
  for (const suite of SUITES) {
    if (only && !only.includes(suite.id)) continue;
    console.log(`\n=== ${suite.id} (${suite.script})`);
    const out = join(resultsDir, `${suite.id}.json`);
    const started = Date.now();
    try {
      await runSuite(suite.script, [...(quick ? ['--quick'] : []), '--out', out]);
      if (quick) problems.push(...checkQuickResult(out));
    } catch (error) {
      problems.push((error as Error).message);
    }
    console.log(`=== ${suite.id}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (!quick) {
    const written = writeBenchmarksMarkdown(root);
    console.log(`\n${written} regenerated from bench/results/ and faults/results/`);
  }
  if (problems.length > 0) {
    console.error(`\nbenchmark problems:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else if (quick) {
    console.log(`\nquick mode: every benchmark ran (results in ${resultsDir}, not recorded)`);
  }
}

await main();
