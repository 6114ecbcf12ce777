import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv } from 'broker-scripts/lib/child-env.mjs';
import { runCommand } from 'broker-scripts/lib/run-command.mjs';
import { REPO_ROOT } from 'broker-scripts/lib/workspace-packages.mjs';

export type PackageManager = 'npm' | 'pnpm';

/** The workspace's pinned pnpm: the same version a user of the README gets. */
const PNPM = join(REPO_ROOT, 'node_modules', '.bin', 'pnpm');

/**
 * A user's fresh project outside the workspace: its own package.json and an .npmrc that sends
 * the `@broker` scope to the local registry (everything else comes from the machine's usual
 * registry, as for a real user).
 */
export class TestProject {
  private constructor(
    readonly dir: string,
    readonly manager: PackageManager,
  ) {}

  static create(dir: string, manager: PackageManager, registryUrl: string): TestProject {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'broker-user-project', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    writeFileSync(join(dir, '.npmrc'), `@broker:registry=${registryUrl}\n`);
    return new TestProject(dir, manager);
  }

  /**
   * The environment of everything run in the project. TMPDIR points into the project, so temp
   * folders its programs leave behind (`broker demo` keeps its event file) go when it goes.
   */
  private env(node?: string): NodeJS.ProcessEnv {
    const tmp = join(this.dir, '.tmp');
    mkdirSync(tmp, { recursive: true });
    return childEnv({ ...(node ? { node } : {}), extra: { TMPDIR: tmp } });
  }

  /** `npm install <names>` or `pnpm add <names>`, as a user types it. */
  async install(...names: string[]): Promise<void> {
    const [command, args] =
      this.manager === 'npm'
        ? ['npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...names]]
        : [PNPM, ['add', '--reporter=append-only', ...names]];
    await runCommand(command, args, { cwd: this.dir, env: this.env(), timeoutMs: 300_000 });
  }

  /**
   * Every package name present anywhere in node_modules (nested npm folders and pnpm's
   * `.pnpm` store included), to prove what an install did not bring.
   */
  installedPackageNames(): Set<string> {
    const names = new Set<string>();
    const visitModules = (modules: string) => {
      if (!existsSync(modules)) return;
      for (const entry of readdirSync(modules)) {
        if (entry === '.bin' || entry.startsWith('.package-lock') || entry === '.modules.yaml') continue;
        if (entry === '.pnpm') {
          for (const stored of readdirSync(join(modules, entry)))
            visitModules(join(modules, entry, stored, 'node_modules'));
          continue;
        }
        if (entry.startsWith('.')) continue;
        const packages = entry.startsWith('@')
          ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`)
          : [entry];
        for (const name of packages) {
          const dir = join(modules, name);
          if (!existsSync(join(dir, 'package.json'))) continue;
          names.add(name);
          if (!lstatSync(dir).isSymbolicLink()) visitModules(join(dir, 'node_modules'));
        }
      }
    };
    visitModules(join(this.dir, 'node_modules'));
    return names;
  }

  /** The version of a package the project resolves from its root, or undefined. */
  async resolvedVersion(name: string, node = process.execPath): Promise<string | undefined> {
    const { stdout } = await runCommand(
      node,
      ['-p', `try { require(${JSON.stringify(`${name}/package.json`)}).version } catch { '' }`],
      { cwd: this.dir, env: this.env(node) },
    );
    return stdout.trim() || undefined;
  }

  /** Runs a command in the project with `node` (and so `npx` and bins) being the given binary. */
  run(command: string, args: string[], options: { node?: string; timeoutMs?: number } = {}) {
    return runCommand(command, args, {
      cwd: this.dir,
      env: this.env(options.node),
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  write(file: string, text: string): string {
    const path = join(this.dir, file);
    writeFileSync(path, text);
    return path;
  }
}
