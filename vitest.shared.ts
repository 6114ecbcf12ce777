import { defineConfig } from 'vitest/config';

/**
 * Unit tests live in `test/**\/*.test.ts`; tests that need a real broker, database or
 * process live in `test/integration/**\/*.int.test.ts` and run one file at a time
 * (they share the local RabbitMQ, Kafka and PostgreSQL).
 */
export function brokerVitestConfig(options: { integrationTimeoutMs?: number } = {}) {
  return defineConfig({
    test: {
      projects: [
        {
          test: {
            name: 'unit',
            include: ['test/**/*.test.ts'],
            exclude: ['test/integration/**', '**/node_modules/**'],
            testTimeout: 10_000,
          },
        },
        {
          test: {
            name: 'integration',
            include: ['test/integration/**/*.int.test.ts'],
            testTimeout: options.integrationTimeoutMs ?? 60_000,
            hookTimeout: options.integrationTimeoutMs ?? 60_000,
            fileParallelism: false,
          },
        },
      ],
    },
  });
}
