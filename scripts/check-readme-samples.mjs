#!/usr/bin/env node
// Type-checks every ```ts sample of the READMEs (the repository's, packages/*, examples/*)
// against the built packages (build them first; `pnpm docs:samples` does). Each problem is
// printed as `README:line:column`; exit 1 when there is one.
// Usage: node scripts/check-readme-samples.mjs [README.md ...]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReadmeSamples } from './lib/readme-samples.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = process.argv.slice(2).map((file) => resolve(file));
const { samples, problems } = checkReadmeSamples(root, files.length > 0 ? files : undefined);
for (const p of problems) console.log(`${p.file}:${p.line}:${p.column} - error TS${p.code}: ${p.message}`);
console.log(
  problems.length === 0
    ? `README samples: all ${samples} type-check`
    : `README samples: ${problems.length} error(s) in ${samples} samples`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
