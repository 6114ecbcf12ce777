#!/usr/bin/env node
// Makes `npm test` / `npm run demo` work on a fresh clone: installs the workspace with the
// pnpm version pinned in package.json when node_modules is missing or older than the lockfile.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`@broker/*: Node.js >= 20.19 is required (this is ${process.version}).`);
  process.exit(1);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

const installedAt = mtime(join(root, 'node_modules', '.modules.yaml'));
const lockAt = mtime(join(root, 'pnpm-lock.yaml'));
if (installedAt >= 0 && installedAt >= lockAt) process.exit(0);

const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const frozen = lockAt >= 0 ? ['--frozen-lockfile'] : [];
console.error(`@broker/*: installing the workspace with ${packageManager} ...`);
execFileSync('npx', ['--yes', packageManager, 'install', ...frozen], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, COREPACK_ENABLE_STRICT: '0' },
});
