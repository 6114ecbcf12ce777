/** Conditions under which `require()` can pick an entry. */
const REQUIRE_CONDITIONS = ['require', 'node', 'default'];

/**
 * Every file an entry point names: `exports` targets (all conditions), `main`, `module`, `types`
 * and `bin`, without the leading `./`.
 *
 * @param {Record<string, any>} manifest
 * @returns {string[]}
 */
export function entryPointFiles(manifest) {
  const targets = new Set();
  const visit = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(manifest.exports);
  visit(manifest.main);
  visit(manifest.module);
  visit(manifest.types);
  visit(manifest.bin);
  return [...targets].sort();
}

/**
 * The code entry points (`exports` keys without the JSON ones), e.g. `['.', './testing']`.
 *
 * @param {Record<string, any>} manifest
 * @returns {string[]}
 */
export function codeSubpaths(manifest) {
  return Object.keys(manifest.exports ?? { '.': null }).filter((subpath) => !subpath.endsWith('.json'));
}

/**
 * Subpaths published for `import` only (their exports entry has no require/node/default
 * condition), e.g. `@broker/core/testing`, which loads the ESM-only vitest.
 *
 * @param {Record<string, any>} manifest
 * @returns {string[]}
 */
export function esmOnlySubpaths(manifest) {
  return codeSubpaths(manifest).filter((subpath) => {
    const entry = manifest.exports?.[subpath];
    return typeof entry === 'object' && entry !== null && !REQUIRE_CONDITIONS.some((c) => c in entry);
  });
}
