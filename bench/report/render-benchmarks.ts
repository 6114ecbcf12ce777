/** Regenerates BENCHMARKS.md from the recorded results without running anything (used after `pnpm test:faults`). */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchmarksMarkdown } from './write-benchmarks-markdown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
console.log(`${writeBenchmarksMarkdown(root)} regenerated from bench/results/ and faults/results/`);
