import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * The one build shape every @broker package uses: ESM + CJS, each with its own declaration
 * file (`.d.ts` / `.d.cts`), Node 20 target, dependencies left external.
 */
export function brokerTsupConfig(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the shipped JS is unminified and readable, and a map comment without its file confuses tools.
    sourcemap: false,
    clean: true,
    platform: 'node',
    target: 'node20',
    splitting: false,
    shims: true,
    define: { __PACKAGE_VERSION__: JSON.stringify(pkg.version) },
    ...extra,
  };
}
