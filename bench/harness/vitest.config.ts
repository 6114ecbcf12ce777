import { defineConfig } from 'vitest/config';

/** The harness's own tests: no services needed. */
export default defineConfig({
  test: { include: ['test/*.test.ts'], testTimeout: 10_000 },
});
