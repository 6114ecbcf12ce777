/** Fields whose ranges a user's package manager reads. */
const RANGE_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** Our own packages share one version (changesets `fixed`), so they must ask for exactly it. */
const INTERNAL_SCOPE = '@broker/';

/**
 * Checks the package.json of a packed package (after `workspace:` ranges were replaced): the
 * fields every published package needs, and ranges on sibling packages that match its version.
 *
 * @param {Record<string, any>} manifest package.json from the tarball
 * @param {{ folder: string, nodeEngine: string }} expected `packages/<folder>`, and the root `engines.node`
 * @returns {string[]} problems, each naming the field and the fix
 */
export function checkManifest(manifest, expected) {
  const problems = [];
  const need = (ok, message) => {
    if (!ok) problems.push(message);
  };
  const nonEmptyString = (value) => typeof value === 'string' && value.trim().length > 0;

  need(manifest.private !== true, '"private": true: the package would never be published; remove it.');
  need(
    typeof manifest.name === 'string' && manifest.name.startsWith(INTERNAL_SCOPE),
    `"name" must be ${INTERNAL_SCOPE}<name>, got ${JSON.stringify(manifest.name)}.`,
  );
  need(nonEmptyString(manifest.description), '"description" is missing: npm shows it in search results.');
  need(nonEmptyString(manifest.license), '"license" is missing: add "Apache-2.0" (an SPDX id).');
  need(
    Array.isArray(manifest.keywords) && manifest.keywords.length >= 3,
    '"keywords" needs at least three entries (npm search).',
  );
  const repository = manifest.repository;
  need(
    typeof repository === 'object' && repository !== null && nonEmptyString(repository.url),
    '"repository" must be { "type": "git", "url": ..., "directory": ... }.',
  );
  need(
    repository?.directory === `packages/${expected.folder}`,
    `"repository.directory" must be "packages/${expected.folder}", got ${JSON.stringify(repository?.directory)}.`,
  );
  need(
    manifest.engines?.node === expected.nodeEngine,
    `"engines.node" must be "${expected.nodeEngine}" (the root package.json's), got ${JSON.stringify(manifest.engines?.node)}.`,
  );
  need(
    manifest.type === 'module',
    '"type" must be "module" (dist/*.js are ES modules, dist/*.cjs CommonJS).',
  );
  need(Array.isArray(manifest.files), '"files" is missing: without it npm publishes the whole folder.');
  need(
    manifest.publishConfig?.access === 'public',
    '"publishConfig.access" must be "public" (scoped packages are private by default).',
  );
  const root = manifest.exports?.['.'];
  need(
    typeof root?.import === 'object' && typeof root?.require === 'object',
    '"exports"["."] needs an "import" and a "require" branch, each with its own "types".',
  );
  need(
    manifest.exports?.['./package.json'] === './package.json',
    '"exports"["./package.json"] should be "./package.json" (tools read it).',
  );

  for (const field of RANGE_FIELDS) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      need(
        !String(range).startsWith('workspace:'),
        `${field}.${dependency} is still "${range}": pack with pnpm, which writes the real range.`,
      );
      if (dependency.startsWith(INTERNAL_SCOPE) && !String(range).startsWith('workspace:')) {
        need(
          range === `^${manifest.version}`,
          `${field}.${dependency} is "${range}"; it must be "^${manifest.version}" (the packages are versioned together).`,
        );
      }
    }
  }
  return problems;
}
