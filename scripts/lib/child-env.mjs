import { delimiter, dirname } from 'node:path';

/**
 * The environment for package managers and user programs the release scripts start: this
 * process's, minus what `npm test`, pnpm and vitest add (npm_config_* would redirect registries
 * and caches, NODE_ENV=test changes installs), with colours off, and optionally a Node binary
 * first on PATH so `node`, `npx` and bins' `#!/usr/bin/env node` all run on it.
 *
 * @param {{ node?: string, extra?: NodeJS.ProcessEnv }} [options]
 * @returns {NodeJS.ProcessEnv}
 */
export function childEnv(options = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (
      lower.startsWith('npm_') ||
      lower.startsWith('pnpm_') ||
      key.startsWith('VITEST') ||
      key === 'INIT_CWD'
    )
      continue;
    if (key === 'NODE_ENV' || key === 'FORCE_COLOR' || key === 'NODE_OPTIONS' || key === 'TEST') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  if (options.node) env.PATH = `${dirname(options.node)}${delimiter}${env.PATH ?? ''}`;
  return { ...env, ...options.extra };
}
