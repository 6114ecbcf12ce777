import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/lib/workspace-packages.mjs). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name the npm name, e.g. `@broker/pika`
 * @property {string} dir absolute folder
 * @property {Record<string, any>} manifest the package.json as in the repository
 */

/**
 * The packages that get published: every `packages/<folder>` whose package.json is not private,
 * in folder order.
 *
 * @param {string} [root] a repository root (default: this repository)
 * @returns {WorkspacePackage[]}
 */
export function publishablePackages(root = REPO_ROOT) {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}
