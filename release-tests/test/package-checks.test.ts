import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKS,
  checkPackedPackages,
  type PackageCheckReport,
} from 'broker-scripts/lib/check-packed-packages.mjs';
import { extractTarball } from 'broker-scripts/lib/pack-package.mjs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Everything we publish; a package missing here or in the workspace fails the test. */
const PUBLISHED = ['@broker/consumers', '@broker/core', '@broker/kafka', '@broker/pika'];

/** The only shapes a tarball's files may have: built code and declarations, docs, license. */
/** Built code and declarations, and the `broker view` page (its HTML, script and style sheet). */
const SHIPPABLE =
  /^(dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)|dist\/view\/[\w.-]+\.(html|js|css)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;

const outDir = mkdtempSync(join(tmpdir(), 'broker-package-checks-'));
let reports: PackageCheckReport[] = [];

// Packs the built packages (turbo builds them first: this package depends on all four).
beforeAll(async () => {
  reports = await checkPackedPackages({ outDir });
}, 300_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function report(name: string): PackageCheckReport {
  const found = reports.find((r) => r.name === name);
  if (!found)
    throw new Error(`${name} was not packed: is packages/<folder>/package.json there and not private?`);
  return found;
}

it('packs exactly the published packages', () => {
  expect(reports.map((r) => r.name).sort()).toEqual(PUBLISHED);
});

it('gives all packages one version (changesets "fixed")', () => {
  expect(new Set(reports.map((r) => r.version)).size).toBe(1);
});

describe.each(PUBLISHED)('%s', (name) => {
  it.each(CHECKS)('passes the %s check', (check) => {
    expect(report(name).problems[check]).toEqual([]);
  });

  it('ships built code, declarations, README and LICENSE only', () => {
    const { files } = report(name);
    expect(files.filter((file) => !SHIPPABLE.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js']));
    expect(files.some((file) => /\.map$|(^|\/)(src|test|fixtures)\//.test(file))).toBe(false);
  });

  it('resolves its root entry to .d.ts from ESM and .d.cts from CJS (node16), and under bundler', () => {
    const root = report(name).typeResolutions['.'];
    expect(root?.['node16-esm']).toMatch(/\/dist\/index\.d\.ts$/);
    expect(root?.['node16-cjs']).toMatch(/\/dist\/index\.d\.cts$/);
    expect(root?.bundler).toMatch(/\/dist\/index\.d\.(ts|cts)$/);
  });
});

describe('what each package brings with it', () => {
  const runtimeDependencies = (name: string) => Object.keys(report(name).manifest.dependencies ?? {});

  it('@broker/pika brings amqplib and never kafkajs', () => {
    expect(runtimeDependencies('@broker/pika')).toContain('amqplib');
    expect(runtimeDependencies('@broker/pika')).not.toContain('kafkajs');
  });

  it('@broker/kafka brings kafkajs and never amqplib', () => {
    expect(runtimeDependencies('@broker/kafka')).toContain('kafkajs');
    expect(runtimeDependencies('@broker/kafka')).not.toContain('amqplib');
  });

  it('@broker/core and @broker/consumers bring no broker client', () => {
    for (const name of ['@broker/core', '@broker/consumers']) {
      expect(runtimeDependencies(name)).not.toContain('amqplib');
      expect(runtimeDependencies(name)).not.toContain('kafkajs');
    }
  });

  it('the adapters take @broker/core as a peer at their own version; consumers take them as optional peers', () => {
    const version = report('@broker/core').version;
    expect(report('@broker/pika').manifest.peerDependencies?.['@broker/core']).toBe(`^${version}`);
    expect(report('@broker/kafka').manifest.peerDependencies?.['@broker/core']).toBe(`^${version}`);
    const consumers = report('@broker/consumers').manifest;
    expect(consumers.dependencies?.['@broker/core']).toBe(`^${version}`);
    for (const adapter of ['@broker/pika', '@broker/kafka']) {
      expect(consumers.peerDependencies?.[adapter]).toBe(`^${version}`);
      expect(consumers.peerDependenciesMeta?.[adapter]?.optional).toBe(true);
    }
  });

  /**
   * The declarations a package ships (`dist/*.d.ts` and `*.d.cts`, read from its tarball) with
   * their comments removed: TSDoc prose may name the client a package is built on, the types may not.
   */
  async function shippedDeclarations(name: string): Promise<Map<string, string>> {
    const { tarball, files } = report(name);
    const dir = join(outDir, 'unpacked', name);
    await extractTarball(tarball, dir);
    const declarations = files.filter((file) => /^dist\/[\w.-]+\.d\.c?ts$/.test(file));
    expect(declarations.length, `${name} ships no declarations`).toBeGreaterThan(0);
    const printer = ts.createPrinter({ removeComments: true });
    const code = new Map<string, string>();
    for (const file of declarations) {
      const text = readFileSync(join(dir, file), 'utf8');
      code.set(file, printer.printFile(ts.createSourceFile(file, text, ts.ScriptTarget.Latest)));
    }
    return code;
  }

  /** Lines of the declarations (comments removed) that name the client. */
  function mentions(code: Map<string, string>, client: string): string[] {
    return [...code].flatMap(([file, text]) =>
      text
        .split('\n')
        .filter((line) => line.toLowerCase().includes(client))
        .map((line) => `${file}: ${line.trim()}`),
    );
  }

  it.each([
    ['@broker/kafka', 'kafkajs'],
    ['@broker/pika', 'amqplib'],
  ])('the public types of %s never mention %s (the client stays swappable)', async (name, client) => {
    const code = await shippedDeclarations(name);
    expect(mentions(code, client)).toEqual([]);
    // The check sees the declarations: an `import ... from '<client>'` would be found.
    expect([...code.values()].join('\n')).toMatch(/\bexport\b/);
  });

  it('@broker/consumers installs the `broker` command', () => {
    const { manifest, files } = report('@broker/consumers');
    expect(manifest.bin?.broker).toBe('./dist/cli.js');
    expect(files).toContain('dist/cli.js');
  });
});
