import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/**
 * @typedef {object} PackedPackage
 * @property {string} name
 * @property {string} version
 * @property {string} tarball absolute path of the .tgz
 * @property {string[]} files paths inside the tarball, relative to `package/`, sorted
 * @property {Record<string, any>} manifest the package.json inside the tarball (workspace ranges replaced)
 */

/** The workspace's pinned pnpm, so a script started with plain `node` packs the same way CI does. */
export function pnpmBinary(root = REPO_ROOT) {
  const local = join(root, 'node_modules', '.bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

/**
 * Packs one package exactly as `pnpm publish` would (workspace: ranges replaced, `files` applied,
 * the root LICENSE added) and reads back the tarball's file list and package.json.
 *
 * @param {string} packageDir
 * @param {string} destination folder for the .tgz (created if missing)
 * @param {{ pnpm?: string }} [options]
 * @returns {Promise<PackedPackage>}
 */
export async function packPackage(packageDir, destination, options = {}) {
  mkdirSync(destination, { recursive: true });
  const pnpm = options.pnpm ?? pnpmBinary();
  const { stdout } = await runCommand(pnpm, ['pack', '--pack-destination', destination, '--json'], {
    cwd: packageDir,
    timeoutMs: 120_000,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
  const tarball = report.filename;
  const { stdout: listing } = await runCommand('tar', ['-tzf', tarball]);
  const files = listing
    .split('\n')
    .filter((line) => line.length > 0 && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
  const { stdout: manifestText } = await runCommand('tar', ['-xzOf', tarball, 'package/package.json']);
  return { name: report.name, version: report.version, tarball, files, manifest: JSON.parse(manifestText) };
}

/**
 * Unpacks a package tarball into `dir` (created if missing), without the `package/` prefix.
 *
 * @param {string} tarball
 * @param {string} dir
 */
export async function extractTarball(tarball, dir) {
  mkdirSync(dir, { recursive: true });
  await runCommand('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
}
