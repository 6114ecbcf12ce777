import { defineConfig } from 'tsup';

/** Compiles the benchmark (with the package's src) to plain ESM that Node 20 runs. */
export default defineConfig({
  entry: { 'publish-bench': 'bench/publish-bench.ts' },
  outDir: '.bench/dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: false,
  clean: true,
  silent: true,
});
