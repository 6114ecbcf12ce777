import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Formats generated files (result JSON, BENCHMARKS.md) the way the repository's Biome
 * formats everything else, so a benchmark run leaves `biome check` clean and diffs small.
 */
export function formatWithBiome(files: string[]): void {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'format', '--write', ...files], { stdio: 'ignore' });
}
