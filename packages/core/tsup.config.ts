import { defineConfig } from 'tsup';
import { brokerTsupConfig } from '../../tsup.preset.ts';

export default defineConfig(
  brokerTsupConfig(
    { index: 'src/index.ts', testing: 'src/testing/index.ts', opentelemetry: 'src/opentelemetry/index.ts' },
    { external: ['vitest'] },
  ),
);
