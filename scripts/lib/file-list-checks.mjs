import { entryPointFiles } from './exports-map.mjs';

/** What a user of the package needs; anything else in the tarball is a mistake in `files`. */
const ALLOWED = [/^dist\//, /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/];

/** Never shipped, even under dist/: tests, fixtures, sources, maps, keys and local config. */
const FORBIDDEN = [
  {
    pattern: /(^|\/)(test|tests|__tests__|fixtures|bench|coverage|node_modules)\//,
    why: 'tests, fixtures or benchmarks',
  },
  { pattern: /\.(test|spec)\.[cm]?[jt]sx?$/, why: 'a test file' },
  { pattern: /(?<!\.d)\.[cm]?tsx?$/, why: 'TypeScript source (only .d.ts / .d.cts ship)' },
  { pattern: /\.map$/, why: 'a source map (it embeds the sources)' },
  { pattern: /\.(pem|key|crt|p12|pfx|jks)$/, why: 'a certificate or key' },
  { pattern: /(^|\/)\.(env|npmrc)/, why: 'local configuration that may hold secrets' },
  { pattern: /\.tsbuildinfo$|(^|\/)(tsconfig|tsup\.config|vitest\.config)/, why: 'build configuration' },
];

/**
 * Checks a tarball's file list: everything an entry point names is there, plus README and
 * LICENSE, and nothing else (no tests, fixtures, sources, maps, keys or config).
 *
 * @param {string[]} files paths relative to the package root
 * @param {Record<string, any>} manifest
 * @returns {string[]} problems
 */
export function checkFileList(files, manifest) {
  const problems = [];
  const present = new Set(files);
  for (const required of ['package.json', 'README.md', 'LICENSE', ...entryPointFiles(manifest)]) {
    if (!present.has(required)) problems.push(`${required} is not in the tarball.`);
  }
  for (const file of files) {
    const forbidden = FORBIDDEN.find(({ pattern }) => pattern.test(file));
    if (forbidden) problems.push(`${file} must not ship: ${forbidden.why}. Exclude it in "files".`);
    else if (!ALLOWED.some((pattern) => pattern.test(file)))
      problems.push(
        `${file} is not something users need: only dist/, README.md, LICENSE and CHANGELOG.md ship.`,
      );
  }
  return problems;
}
