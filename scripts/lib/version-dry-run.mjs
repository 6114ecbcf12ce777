import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from './child-env.mjs';
import { packPackage } from './pack-package.mjs';
import { commitAll, copyRepository } from './repository-copy.mjs';
import { runCommand } from './run-command.mjs';
import { publishablePackages } from './workspace-packages.mjs';

const RANGE_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * @typedef {object} DryRunPackage
 * @property {string} name
 * @property {string} before version in the working tree
 * @property {string} after version after `pnpm version-packages`
 * @property {Record<string, Record<string, string>>} sourceRanges field → internal dependency → range in package.json
 * @property {Record<string, Record<string, string>>} packedRanges the same, as `pnpm pack` writes them for npm
 * @property {string} changelog the newest CHANGELOG.md section
 */

/**
 * @typedef {object} DryRunReport
 * @property {string[]} changesets the changeset files that were consumed
 * @property {DryRunPackage[]} packages
 */

/** @param {Record<string, any>} manifest */
function internalRanges(manifest) {
  /** @type {Record<string, Record<string, string>>} */
  const ranges = {};
  for (const field of RANGE_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (name.startsWith('@broker/')) ranges[field] = { ...ranges[field], [name]: String(range) };
    }
  }
  return ranges;
}

/** @param {string} dir */
function newestChangelogSection(dir) {
  const file = join(dir, 'CHANGELOG.md');
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('\n## ');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start + 1, end < 0 ? undefined : end).trim();
}

/**
 * Runs the release flow's `pnpm version-packages` (changeset version + lockfile update) in a
 * throwaway copy of the repository and reports what it would release: versions before and after,
 * the internal dependency and peer ranges in package.json and as packed for npm, and each new
 * changelog section. The working tree is never changed.
 *
 * @param {object} [options]
 * @param {{ summary: string, releases: Record<string, 'major' | 'minor' | 'patch'> }} [options.changeset]
 *   replace the pending changesets with this one (default: release what is pending)
 * @param {string} [options.startVersion] pretend the packages are at this version first (e.g. 1.0.0,
 *   to see what a bump does after the first release)
 * @param {boolean} [options.keep] keep the copy (its path is printed by the caller)
 * @param {string} [options.workDir] where to make the copy (default: a new temp folder)
 * @returns {Promise<DryRunReport & { workDir: string }>}
 */
export async function versionDryRun(options = {}) {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'broker-version-dry-run-'));
  const repo = join(workDir, 'repo');
  try {
    await copyRepository(repo);
    if (options.startVersion) {
      for (const pkg of publishablePackages(repo)) {
        const file = join(pkg.dir, 'package.json');
        const text = readFileSync(file, 'utf8');
        writeFileSync(file, text.replace(/"version": "[^"]+"/, `"version": "${options.startVersion}"`));
      }
      await commitAll(repo, `pretend the packages are at ${options.startVersion}`);
    }
    const changesetDir = join(repo, '.changeset');
    if (options.changeset) {
      for (const file of readdirSync(changesetDir)) {
        if (file.endsWith('.md') && file !== 'README.md') unlinkSync(join(changesetDir, file));
      }
      const releases = Object.entries(options.changeset.releases).map(([name, bump]) => `"${name}": ${bump}`);
      writeFileSync(
        join(changesetDir, 'dry-run.md'),
        `---\n${releases.join('\n')}\n---\n\n${options.changeset.summary}\n`,
      );
    }
    const changesets = readdirSync(changesetDir).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    const before = new Map(publishablePackages(repo).map((pkg) => [pkg.name, pkg.manifest.version]));

    const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
    const env = childEnv();
    await runCommand(pnpm, ['run', 'version-packages'], { cwd: repo, env, timeoutMs: 300_000 });
    // The lockfile the script wrote must install as is (what CI's frozen install will do).
    await runCommand(pnpm, ['install', '--frozen-lockfile', '--offline', '--reporter=append-only'], {
      cwd: repo,
      env,
      timeoutMs: 300_000,
    });

    /** @type {DryRunPackage[]} */
    const packages = [];
    for (const pkg of publishablePackages(repo)) {
      const packed = await packPackage(pkg.dir, join(workDir, 'packed'), { pnpm });
      packages.push({
        name: pkg.name,
        before: before.get(pkg.name) ?? '',
        after: pkg.manifest.version,
        sourceRanges: internalRanges(pkg.manifest),
        packedRanges: internalRanges(packed.manifest),
        changelog: newestChangelogSection(pkg.dir),
      });
    }
    return { changesets, packages, workDir };
  } finally {
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}
