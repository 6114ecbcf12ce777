#!/usr/bin/env node
// What would the next release be? Runs `pnpm version-packages` in a throwaway copy of the
// repository and prints the versions and the dependency/peer ranges users would get.
// Usage: node scripts/version-dry-run.mjs [--bump patch|minor|major] [--from <version>] [--keep]
//   --bump  pretend the only pending changeset bumps @broker/core (the others follow: fixed group)
//   --from  pretend the packages are at this version before the bump
import { versionDryRun } from './lib/version-dry-run.mjs';

const args = process.argv.slice(2);
const bumpAt = args.indexOf('--bump');
const bump = bumpAt >= 0 ? args[bumpAt + 1] : undefined;
if (bump !== undefined && !['patch', 'minor', 'major'].includes(bump)) {
  console.error('--bump takes patch, minor or major');
  process.exit(2);
}
const fromAt = args.indexOf('--from');
const report = await versionDryRun({
  keep: args.includes('--keep'),
  ...(fromAt >= 0 ? { startVersion: args[fromAt + 1] } : {}),
  ...(bump
    ? { changeset: { summary: `Dry run: a ${bump} change.`, releases: { '@broker/core': bump } } }
    : {}),
});

console.log(`changesets: ${report.changesets.join(', ') || '(none)'}`);
for (const pkg of report.packages) {
  console.log(`\n${pkg.name}: ${pkg.before} -> ${pkg.after}`);
  for (const [field, ranges] of Object.entries(pkg.packedRanges)) {
    for (const [name, range] of Object.entries(ranges)) {
      console.log(
        `  ${field}.${name}: ${pkg.sourceRanges[field]?.[name]} (package.json) -> ${range} (published)`,
      );
    }
  }
}
if (args.includes('--keep')) console.log(`\ncopy kept in ${report.workDir}`);
