import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Formats generated files inside the repository (result JSON, BENCHMARKS.md) the way its Biome
 * formats everything else, so a benchmark run leaves `biome check` clean and diffs small.
 * Files elsewhere (quick runs write to a temporary folder) are left as written.
 */
export function formatWithBiome(files: string[]): void {
  const inside = files.map((file) => resolve(file)).filter((file) => file.startsWith(repositoryRoot + sep));
  if (inside.length === 0) return;
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'format', '--write', ...inside], {
    cwd: repositoryRoot,
    stdio: 'ignore',
  });
}
