// The package checks must be able to fail: each is fed a broken package or manifest here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esmOnlySubpaths } from 'broker-scripts/lib/exports-map.mjs';
import { checkFileList } from 'broker-scripts/lib/file-list-checks.mjs';
import { attwTarball, publintTarball } from 'broker-scripts/lib/lint-tarball.mjs';
import { checkManifest } from 'broker-scripts/lib/manifest-checks.mjs';
import { runCommand } from 'broker-scripts/lib/run-command.mjs';
import { scanForSecrets } from 'broker-scripts/lib/secret-scan.mjs';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'broker-checker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EXPECTED = { folder: 'pika', nodeEngine: '>=20.19' };

function goodManifest() {
  return {
    name: '@broker/pika',
    version: '1.2.0',
    description: 'RabbitMQ event broker',
    license: 'Apache-2.0',
    keywords: ['rasa', 'rabbitmq', 'amqp'],
    repository: { type: 'git', url: 'git+https://example.invalid/broker.git', directory: 'packages/pika' },
    engines: { node: '>=20.19' },
    type: 'module',
    files: ['dist'],
    publishConfig: { access: 'public' },
    main: './dist/index.cjs',
    types: './dist/index.d.cts',
    exports: {
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    },
    dependencies: { amqplib: '^2.3.1' },
    peerDependencies: { '@broker/core': '^1.2.0' },
  };
}

const GOOD_FILES = [
  'LICENSE',
  'README.md',
  'dist/index.cjs',
  'dist/index.d.cts',
  'dist/index.d.ts',
  'dist/index.js',
  'package.json',
];

describe('checkManifest', () => {
  it('accepts a complete manifest', () => {
    expect(checkManifest(goodManifest(), EXPECTED)).toEqual([]);
  });

  it.each([
    ['license', /"license" is missing/],
    ['repository', /"repository" must be/],
    ['engines', /"engines.node" must be ">=20.19"/],
    ['keywords', /"keywords" needs at least three/],
    ['description', /"description" is missing/],
    ['files', /"files" is missing/],
    ['publishConfig', /"publishConfig.access" must be "public"/],
  ])('names a missing %s', (field, message) => {
    const manifest: Record<string, unknown> = goodManifest();
    delete manifest[field];
    expect(checkManifest(manifest, EXPECTED)).toEqual(
      expect.arrayContaining([expect.stringMatching(message)]),
    );
  });

  it('refuses a workspace: range that was not replaced', () => {
    const manifest = goodManifest();
    manifest.peerDependencies['@broker/core'] = 'workspace:^';
    expect(checkManifest(manifest, EXPECTED)).toEqual([
      expect.stringMatching(/peerDependencies.@broker\/core is still "workspace:\^"/),
    ]);
  });

  it('refuses a sibling range that does not ask for the same version', () => {
    const manifest = goodManifest();
    manifest.peerDependencies['@broker/core'] = '^1.1.0';
    expect(checkManifest(manifest, EXPECTED)).toEqual([expect.stringMatching(/it must be "\^1\.2\.0"/)]);
  });

  it('refuses the wrong repository folder', () => {
    const manifest = goodManifest();
    manifest.repository.directory = 'packages/kafka';
    expect(checkManifest(manifest, EXPECTED)).toEqual([expect.stringMatching(/"packages\/pika"/)]);
  });
});

describe('checkFileList', () => {
  it('accepts built code, declarations, README and LICENSE', () => {
    expect(checkFileList(GOOD_FILES, goodManifest())).toEqual([]);
  });

  it.each([
    'dist/index.js.map',
    'test/broker.test.ts',
    'dist/fixtures/tracker.json',
    'src/index.ts',
    'dist/server-key.pem',
    '.env',
    'tsconfig.json',
    'bench/publish-bench.ts',
  ])('refuses %s', (file) => {
    expect(checkFileList([...GOOD_FILES, file], goodManifest())).toEqual([
      expect.stringContaining(`${file} must not ship`),
    ]);
  });

  it('refuses files outside dist that users do not need', () => {
    expect(checkFileList([...GOOD_FILES, 'docker-compose.yml'], goodManifest())).toEqual([
      expect.stringContaining('docker-compose.yml is not something users need'),
    ]);
  });

  it('names entry points, README and LICENSE missing from the tarball', () => {
    const files = GOOD_FILES.filter((f) => f !== 'dist/index.d.cts' && f !== 'LICENSE' && f !== 'README.md');
    expect(checkFileList(files, goodManifest()).sort()).toEqual([
      'LICENSE is not in the tarball.',
      'README.md is not in the tarball.',
      'dist/index.d.cts is not in the tarball.',
    ]);
  });
});

describe('esmOnlySubpaths', () => {
  it('finds subpaths without a require, node or default condition', () => {
    const manifest = goodManifest();
    const testing = { import: { types: './dist/t.d.ts', default: './dist/t.js' } };
    expect(esmOnlySubpaths({ ...manifest, exports: { ...manifest.exports, './testing': testing } })).toEqual([
      './testing',
    ]);
  });
});

describe('scanForSecrets', () => {
  it('finds key material and credentials but not the PEM header the code looks for', () => {
    const dir = join(work, 'secrets');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(2);
    writeFileSync(join(dir, 'dist', 'key.js'), `const k = "-----BEGIN PRIVATE KEY-----\n${body}";`);
    writeFileSync(join(dir, 'dist', 'url.js'), 'const u = "amqp://admin:s3cr3t@rabbit:5672";');
    writeFileSync(
      join(dir, 'dist', 'fine.js'),
      'const re = /-----BEGIN (?:RSA )?PRIVATE KEY-----/; const u = "amqp://guest:guest@localhost";',
    );
    expect(scanForSecrets(dir).sort()).toEqual([
      'dist/key.js contains a PEM private key.',
      'dist/url.js contains a URL with a password.',
    ]);
  });
});

describe('publint and attw on a broken tarball', () => {
  // ESM declarations under the require branch, a main that does not exist: both tools must object.
  const brokenTarball = async () => {
    const root = join(work, 'broken', 'package');
    mkdirSync(join(root, 'dist'), { recursive: true });
    const manifest = {
      name: '@broker/broken',
      version: '1.0.0',
      type: 'module',
      main: './dist/missing.cjs',
      exports: {
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: { types: './dist/index.d.ts', default: './dist/index.cjs' },
        },
      },
    };
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(root, 'dist', 'index.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'dist', 'index.cjs'), 'exports.a = 1;\n');
    writeFileSync(join(root, 'dist', 'index.d.ts'), 'export declare const a: number;\n');
    const tarball = join(work, 'broken.tgz');
    await runCommand('tar', ['-czf', tarball, '-C', join(work, 'broken'), 'package']);
    return { tarball, manifest };
  };

  it('publint reports the missing main file', async () => {
    const { tarball } = await brokenTarball();
    expect(await publintTarball(tarball)).toEqual(
      expect.arrayContaining([expect.stringMatching(/publint error: .*missing\.cjs/)]),
    );
  }, 60_000);

  it('attw reports ESM types served to require()', async () => {
    const { tarball, manifest } = await brokenTarball();
    const { problems } = await attwTarball(tarball, manifest);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^attw FalseESM: dist\/index\.d\.ts for dist\/index\.cjs/),
      ]),
    );
  }, 60_000);
});
