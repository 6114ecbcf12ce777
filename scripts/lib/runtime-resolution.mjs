import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { childEnv } from './child-env.mjs';
import { codeSubpaths, esmOnlySubpaths } from './exports-map.mjs';
import { extractTarball } from './pack-package.mjs';
import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/** Names a module namespace has that are not the package's own exports. */
const NOT_EXPORTS = new Set(['default', 'module.exports', '__esModule']);

const LIST_ESM_EXPORTS = `
const names = Object.keys(await import(process.argv[1])).filter((n) => !${JSON.stringify([...NOT_EXPORTS])}.includes(n));
console.log(JSON.stringify(names.sort()));`;

const LIST_CJS_EXPORTS = `
const names = Object.keys(require(process.argv[1])).filter((n) => !${JSON.stringify([...NOT_EXPORTS])}.includes(n));
console.log(JSON.stringify(names.sort()));`;

/** The error's first line and the child's last stderr line (the thrown error), for a report. */
function firstLines(error) {
  const stderr = String(error.stderr ?? '')
    .trim()
    .split('\n');
  const thrown = stderr.find((line) => /^\w*Error\b|^Error \[/.test(line)) ?? stderr.pop() ?? '';
  return `${String(error.message).split('\n')[0]} ${thrown}`.trim();
}

/**
 * Where the workspace resolved a third-party package for one of our packages, so the check can
 * link it instead of downloading it.
 */
function workspaceCopyOf(dependency, packageDir) {
  for (const base of [packageDir, REPO_ROOT]) {
    const candidate = join(base, 'node_modules', dependency);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

/**
 * @typedef {object} RuntimeReport
 * @property {Record<string, string[]>} problems package name → problems
 * @property {Record<string, { esm: string[], cjs: string[] }>} exportNames specifier → names seen by import and by require
 */

/**
 * Installs the tarballs side by side in a throwaway `node_modules` (third-party dependencies are
 * linked from the workspace, so no network is needed), then, in a separate Node process each,
 * `import`s and `require`s every entry point and runs every bin with `--help`. The ESM and CJS
 * builds must load and export the same names.
 *
 * @param {{ name: string, tarball: string, manifest: Record<string, any>, sourceDir: string }[]} packed
 * @param {{ node?: string }} [options] the Node binary to load them with
 * @returns {Promise<RuntimeReport>}
 */
export async function checkRuntimeResolution(packed, options = {}) {
  const node = options.node ?? process.execPath;
  // No NODE_PATH or npm variables: only the throwaway node_modules may resolve anything.
  const env = childEnv();
  const project = mkdtempSync(join(tmpdir(), 'broker-resolution-'));
  /** @type {RuntimeReport} */
  const report = { problems: {}, exportNames: {} };
  try {
    writeFileSync(join(project, 'package.json'), '{ "name": "resolution-check", "private": true }\n');
    const modules = join(project, 'node_modules');
    for (const pkg of packed) await extractTarball(pkg.tarball, join(modules, pkg.name));
    for (const pkg of packed) {
      report.problems[pkg.name] = [];
      const wanted = { ...pkg.manifest.peerDependencies, ...pkg.manifest.dependencies };
      for (const dependency of Object.keys(wanted)) {
        const target = join(modules, dependency);
        if (existsSync(target)) continue;
        const copy = workspaceCopyOf(dependency, pkg.sourceDir);
        if (!copy) continue; // an optional peer nobody in the workspace installs
        mkdirSync(dirname(target), { recursive: true });
        symlinkSync(copy, target, 'dir');
      }
    }
    for (const pkg of packed) {
      const problems = report.problems[pkg.name];
      const esmOnly = esmOnlySubpaths(pkg.manifest);
      for (const subpath of codeSubpaths(pkg.manifest)) {
        const specifier = pkg.name + subpath.slice(1);
        const run = (script, flags) =>
          runCommand(node, [...flags, '-e', script, specifier], { cwd: project, env, timeoutMs: 60_000 });
        const esm = await run(LIST_ESM_EXPORTS, ['--input-type=module']).then(
          ({ stdout }) => JSON.parse(stdout),
          (error) => problems.push(`import('${specifier}') fails: ${firstLines(error)}`) && undefined,
        );
        if (esmOnly.includes(subpath)) {
          // Published for import only: require() must fail with Node's clear "not exported" error.
          await run(LIST_CJS_EXPORTS, []).then(
            () =>
              problems.push(`require('${specifier}') loads, but its exports entry has no require condition.`),
            (error) => {
              if (!String(error.stderr).includes('ERR_PACKAGE_PATH_NOT_EXPORTED'))
                problems.push(`require('${specifier}') fails unclearly: ${firstLines(error)}`);
            },
          );
          if (esm?.length === 0) problems.push(`import('${specifier}') exports nothing.`);
          continue;
        }
        const cjs = await run(LIST_CJS_EXPORTS, []).then(
          ({ stdout }) => JSON.parse(stdout),
          (error) => problems.push(`require('${specifier}') fails: ${firstLines(error)}`) && undefined,
        );
        if (!esm || !cjs) continue;
        report.exportNames[specifier] = { esm, cjs };
        if (esm.length === 0) problems.push(`import('${specifier}') exports nothing.`);
        const onlyEsm = esm.filter((name) => !cjs.includes(name));
        const onlyCjs = cjs.filter((name) => !esm.includes(name));
        if (onlyEsm.length || onlyCjs.length) {
          problems.push(
            `${specifier}: the ESM and CJS builds differ (only import: ${onlyEsm.join(', ') || '-'}; only require: ${onlyCjs.join(', ') || '-'}).`,
          );
        }
      }
      const bins =
        typeof pkg.manifest.bin === 'string' ? { [pkg.name]: pkg.manifest.bin } : (pkg.manifest.bin ?? {});
      for (const [bin, file] of Object.entries(bins)) {
        await runCommand(node, [join(modules, pkg.name, file), '--help'], {
          cwd: project,
          env,
          timeoutMs: 60_000,
        }).catch((error) => problems.push(`bin ${bin} --help fails: ${firstLines(error)}`));
      }
    }
    return report;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
