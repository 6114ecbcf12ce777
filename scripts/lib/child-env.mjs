import { delimiter, dirname } from 'node:path';

/**
 * Variables vitest, vite and pnpm's bin shims put into the environment. NODE_PATH above all: pnpm
 * points it at the workspace's store, where require() would find packages that a user's project
 * does not have.
 */
const TOOL_VARIABLES = new Set([
  'NODE_PATH',
  'NODE_OPTIONS',
  'NODE_ENV',
  'INIT_CWD',
  'FORCE_COLOR',
  'TEST',
  'MODE',
  'DEV',
  'PROD',
  'SSR',
  'BASE_URL',
]);

/**
 * The environment for package managers and user programs the release scripts start: this
 * process's, minus what `npm test`, pnpm and vitest add (npm_config_* would redirect registries
 * and caches, NODE_ENV=test changes installs, NODE_PATH leaks the workspace's packages), with
 * colours off, and optionally a Node binary first on PATH so `node`, `npx` and bins'
 * `#!/usr/bin/env node` all run on it.
 *
 * @param {{ node?: string, extra?: NodeJS.ProcessEnv }} [options]
 * @returns {NodeJS.ProcessEnv}
 */
export function childEnv(options = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') || lower.startsWith('pnpm_') || key.startsWith('VITEST')) continue;
    if (TOOL_VARIABLES.has(key)) continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  if (options.node) env.PATH = `${dirname(options.node)}${delimiter}${env.PATH ?? ''}`;
  return { ...env, ...options.extra };
}
