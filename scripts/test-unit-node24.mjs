#!/usr/bin/env node
// Runs every package's unit tests on Node 24 (`npx -y node@24`), one package after the other.
// The packages must be built (`pnpm build`). Usage: node scripts/test-unit-node24.mjs [@broker/name ...]
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { node24Binary } from './lib/node-24.mjs';
import { runCommand } from './lib/run-command.mjs';
import { publishablePackages, REPO_ROOT } from './lib/workspace-packages.mjs';

const only = process.argv.slice(2);
const vitest = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
if (!existsSync(vitest)) {
  console.error(`${vitest} is missing: install the workspace first (npm run bootstrap).`);
  process.exit(1);
}
const node = await node24Binary();
// Anything the tests start with `node` (CLIs, child processes) runs on Node 24 too.
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, NO_COLOR: '1' };
delete env.FORCE_COLOR;
console.log(`unit tests on ${node}`);

const started = Date.now();
let passed = 0;
let failed = 0;
for (const pkg of publishablePackages()) {
  if (only.length > 0 && !only.includes(pkg.name)) continue;
  if (!pkg.manifest.scripts?.['test:unit']) continue;
  try {
    const { stdout, durationMs } = await runCommand(node, [vitest, 'run', '--project', 'unit'], {
      cwd: pkg.dir,
      env,
      timeoutMs: 900_000,
    });
    const tests =
      stripVTControlCharacters(stdout)
        .match(/Tests\s+(.*)/)?.[1]
        ?.trim() ?? '';
    console.log(`${pkg.name} on Node 24: ${tests} (${(durationMs / 1000).toFixed(1)} s)`);
    passed += 1;
  } catch (error) {
    console.error(`${pkg.name} on Node 24 FAILED\n${error instanceof Error ? error.message : error}`);
    failed += 1;
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`node 24 unit test packages: ${passed} passed, ${failed} failed in ${seconds} s`);
process.exitCode = failed === 0 ? 0 : 1;
