// Dry runs of `pnpm version-packages` (changeset version + lockfile update) in throwaway copies of
// the repository: the four packages move together (changesets "fixed"), and the internal
// dependency and peer ranges users get from npm follow the new version.

import { type DryRunPackage, versionDryRun } from 'broker-scripts/lib/version-dry-run.mjs';
import { describe, expect, it } from 'vitest';

const PUBLISHED = ['@broker/consumers', '@broker/core', '@broker/kafka', '@broker/pika'];

/** Every @broker/* range as npm will see it, e.g. `@broker/pika peerDependencies.@broker/core`. */
function packedInternalRanges(packages: DryRunPackage[]): Record<string, string> {
  const ranges: Record<string, string> = {};
  for (const pkg of packages) {
    for (const [field, entries] of Object.entries(pkg.packedRanges)) {
      for (const [name, range] of Object.entries(entries)) ranges[`${pkg.name} ${field}.${name}`] = range;
    }
  }
  return ranges;
}

function expectRangesOn(packages: DryRunPackage[], version: string) {
  const ranges = packedInternalRanges(packages);
  expect(ranges).toEqual({
    '@broker/consumers dependencies.@broker/core': `^${version}`,
    '@broker/consumers peerDependencies.@broker/kafka': `^${version}`,
    '@broker/consumers peerDependencies.@broker/pika': `^${version}`,
    '@broker/kafka peerDependencies.@broker/core': `^${version}`,
    '@broker/pika peerDependencies.@broker/core': `^${version}`,
  });
  // package.json keeps the workspace protocol; only the packed manifest carries real ranges.
  for (const pkg of packages) {
    for (const entries of Object.values(pkg.sourceRanges)) {
      for (const range of Object.values(entries)) expect(range).toMatch(/^workspace:/);
    }
  }
}

describe('pnpm version-packages (dry run in a copy of the repository)', () => {
  it('a minor change to @broker/core after 1.0.0 releases all four packages as 1.1.0', async () => {
    const report = await versionDryRun({
      startVersion: '1.0.0',
      changeset: { summary: 'A new option.', releases: { '@broker/core': 'minor' } },
    });
    expect(report.packages.map((pkg) => [pkg.name, pkg.before, pkg.after])).toEqual(
      PUBLISHED.map((name) => [name, '1.0.0', '1.1.0']),
    );
    expectRangesOn(report.packages, '1.1.0');
    const core = report.packages.find((pkg) => pkg.name === '@broker/core');
    expect(core?.changelog).toMatch(/^## 1\.1\.0\n[\s\S]*A new option\./);
  });

  it('a patch to one adapter releases all four packages as the next patch', async () => {
    const report = await versionDryRun({
      startVersion: '1.4.2',
      changeset: { summary: 'A fix in the RabbitMQ adapter.', releases: { '@broker/pika': 'patch' } },
    });
    expect(report.packages.map((pkg) => pkg.after)).toEqual(PUBLISHED.map(() => '1.4.3'));
    expectRangesOn(report.packages, '1.4.3');
    for (const pkg of report.packages) expect(pkg.changelog).toMatch(/^## 1\.4\.3($|\n)/);
  });

  it('on 0.x a minor change is a new major for everyone: a caret range on 0.x excludes the next minor', async () => {
    // Why the first release is 1.0.0 (CONTRIBUTING.md, "Versioning"): the adapters' peer range
    // ^0.3.0 does not admit 0.4.0, so changesets bumps them (and the fixed group) to 1.0.0.
    const report = await versionDryRun({
      startVersion: '0.3.0',
      changeset: { summary: 'A new option.', releases: { '@broker/core': 'minor' } },
    });
    expect(report.packages.map((pkg) => pkg.after)).toEqual(PUBLISHED.map(() => '1.0.0'));
    expectRangesOn(report.packages, '1.0.0');
  });
});
