import { defineConfig } from 'vitest/config';

/**
 * `unit`: the ledger, no services. `faults`: the scenarios against the real
 * brokers, one file at a time (they stop and restart shared broker nodes).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/scenarios/*.fault.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
