import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkFileList } from './file-list-checks.mjs';
import { attwTarball, publintTarball } from './lint-tarball.mjs';
import { checkManifest } from './manifest-checks.mjs';
import { extractTarball, packPackage } from './pack-package.mjs';
import { checkRuntimeResolution } from './runtime-resolution.mjs';
import { scanForSecrets } from './secret-scan.mjs';
import { publishablePackages, REPO_ROOT } from './workspace-packages.mjs';

/**
 * @typedef {object} PackageCheckReport
 * @property {string} name
 * @property {string} version
 * @property {string} tarball
 * @property {string[]} files
 * @property {Record<string, any>} manifest the packed package.json
 * @property {Record<string, Record<string, string | null>>} typeResolutions
 * @property {Record<string, string[]>} problems check name → problems (empty when it passed)
 */

/** The checks, in the order they are reported. */
export const CHECKS = ['manifest', 'files', 'secrets', 'publint', 'attw', 'runtime'];

/**
 * Packs every publishable package (which must be built) and runs all package checks on the
 * tarballs: manifest fields and internal ranges, the file list, a secret scan, publint, attw,
 * and loading each entry point with `import` and `require`.
 *
 * @param {{ root?: string, outDir?: string, only?: string[] }} [options]
 *   `outDir` keeps the tarballs there (default: a temp folder, deleted); `only` limits to these names
 * @returns {Promise<PackageCheckReport[]>}
 */
export async function checkPackedPackages(options = {}) {
  const root = options.root ?? REPO_ROOT;
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workDir = mkdtempSync(join(tmpdir(), 'broker-pack-'));
  const outDir = options.outDir ?? join(workDir, 'tarballs');
  try {
    const packages = publishablePackages(root).filter((p) => !options.only || options.only.includes(p.name));
    if (packages.length === 0) throw new Error(`no publishable package matches ${options.only?.join(', ')}`);
    /** @type {PackageCheckReport[]} */
    const reports = [];
    const packed = [];
    for (const pkg of packages) {
      const result = await packPackage(pkg.dir, outDir);
      const unpacked = join(workDir, 'unpacked', basename(pkg.dir));
      await extractTarball(result.tarball, unpacked);
      const types = await attwTarball(result.tarball, result.manifest);
      reports.push({
        name: result.name,
        version: result.version,
        tarball: result.tarball,
        files: result.files,
        manifest: result.manifest,
        typeResolutions: types.resolutions,
        problems: {
          manifest: checkManifest(result.manifest, {
            folder: basename(pkg.dir),
            nodeEngine: rootManifest.engines?.node,
          }),
          files: checkFileList(result.files, result.manifest),
          secrets: scanForSecrets(unpacked),
          publint: await publintTarball(result.tarball),
          attw: types.problems,
          runtime: [],
        },
      });
      packed.push({ ...result, sourceDir: pkg.dir });
    }
    const runtime = await checkRuntimeResolution(packed);
    for (const report of reports) report.problems.runtime = runtime.problems[report.name] ?? [];
    return reports;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
