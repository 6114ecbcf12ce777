#!/usr/bin/env node
// Package checks on the packed tarballs of every publishable package (build them first):
// manifest fields and internal ranges, file list, secret scan, publint, attw, import/require.
// Usage: node scripts/check-packages.mjs [--keep <dir>] [@broker/name ...]
import { CHECKS, checkPackedPackages } from './lib/check-packed-packages.mjs';

const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const outDir = keepAt >= 0 ? args.splice(keepAt, 2)[1] : undefined;
const only = args.length > 0 ? args : undefined;

const started = Date.now();
const reports = await checkPackedPackages({ outDir, only });
let failed = 0;
for (const report of reports) {
  const problems = CHECKS.flatMap((check) =>
    report.problems[check].map((problem) => `  [${check}] ${problem}`),
  );
  const status = problems.length === 0 ? 'ok' : `${problems.length} problem(s)`;
  console.log(`${report.name}@${report.version}: ${report.files.length} files, ${status}`);
  for (const line of problems) console.log(line);
  if (problems.length > 0) failed += 1;
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (outDir) console.log(`tarballs kept in ${outDir}`);
console.log(
  `package checks (${CHECKS.join(', ')}): ${reports.length - failed} passed, ${failed} failed in ${seconds} s`,
);
process.exitCode = failed === 0 ? 0 : 1;
