import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { esmOnlySubpaths } from './exports-map.mjs';
import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/**
 * TypeScript resolution modes we support. `node10` (the old `moduleResolution: node`) cannot see
 * subpath exports such as `@broker/core/testing`, and Node >= 20.19 users do not need it.
 */
export const TYPE_RESOLUTIONS = ['node16-cjs', 'node16-esm', 'bundler'];

/**
 * publint in strict mode (warnings count as errors) on the tarball itself, so it sees exactly
 * the published files.
 *
 * @param {string} tarball
 * @returns {Promise<string[]>} problems
 */
export async function publintTarball(tarball) {
  const bytes = readFileSync(tarball);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const result = await publint({ pack: { tarball: data }, strict: true, level: 'suggestion' });
  return result.messages.map(
    (message) => `publint ${message.type}: ${formatMessage(message, result.pkg, { color: false })}`,
  );
}

/**
 * @typedef {object} TypesReport
 * @property {string[]} problems
 * @property {Record<string, Record<string, string | null>>} resolutions subpath → resolution mode → declaration file (null: none)
 */

/**
 * @arethetypeswrong/cli on the tarball: every entry point must resolve to the right declaration
 * file for ESM and CJS under node16 and bundler resolution.
 *
 * Subpaths published for `import` only are not expected to resolve from CommonJS.
 *
 * @param {string} tarball
 * @param {Record<string, any>} manifest the package.json in the tarball
 * @returns {Promise<TypesReport>}
 */
export async function attwTarball(tarball, manifest) {
  const esmOnly = esmOnlySubpaths(manifest);
  const expected = (problem) =>
    problem.resolutionKind === 'node10' ||
    (problem.resolutionKind === 'node16-cjs' && esmOnly.includes(problem.entrypoint));
  const attw = join(REPO_ROOT, 'node_modules', '.bin', 'attw');
  // Exit code 1 only means "problems found"; the JSON says which.
  const { stdout } = await runCommand(attw, [tarball, '--format', 'json']).catch((error) => {
    if (error.exitCode === 1 && error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const { analysis } = JSON.parse(stdout);
  const inPackage = (file) => file.replace(/^\/node_modules\/(@[^/]+\/)?[^/]+\//, '');
  const where = (problem) =>
    problem.entrypoint !== undefined
      ? `"${problem.entrypoint}" under ${problem.resolutionKind}`
      : [problem.typesFileName, problem.implementationFileName, problem.fileName]
          .filter(Boolean)
          .map(inPackage)
          .join(' for ');
  const problems = analysis.problems
    .filter((problem) => !expected(problem))
    .map(
      (problem) =>
        `attw ${problem.kind}: ${where(problem)} ` +
        `(https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems/${problem.kind}.md)`,
    );
  /** @type {Record<string, Record<string, string | null>>} */
  const resolutions = {};
  for (const [subpath, entry] of Object.entries(analysis.entrypoints)) {
    resolutions[subpath] = {};
    for (const mode of TYPE_RESOLUTIONS) {
      resolutions[subpath][mode] = entry.resolutions?.[mode]?.resolution?.fileName ?? null;
    }
  }
  return { problems, resolutions };
}
