import { copyFileSync, existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { childEnv } from './child-env.mjs';
import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/**
 * Commits everything in a copy made by copyRepository.
 *
 * @param {string} target
 * @param {string} message
 */
export async function commitAll(target, message) {
  const env = childEnv();
  await runCommand('git', ['add', '-A'], { cwd: target, env });
  await runCommand('git', ['commit', '-q', '--no-verify', '--allow-empty', '-m', message], {
    cwd: target,
    env,
  });
}

/**
 * Copies the repository's working tree (tracked files and the untracked ones git does not
 * ignore: what a commit of it would hold; no node_modules, dist or caches) to `target`, makes it
 * a git repository of its own with one commit (changesets reads git and tags releases), and
 * installs it from the lockfile, preferring pnpm's store over the network. The working tree
 * and its git repository are only read.
 *
 * @param {string} target a folder that does not exist yet or is empty
 */
export async function copyRepository(target) {
  const { stdout } = await runCommand(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO_ROOT,
    },
  );
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
    const to = join(target, file);
    mkdirSync(dirname(to), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
  }
  const env = childEnv();
  await runCommand('git', ['init', '-q', '-b', 'main'], { cwd: target, env });
  // Its own identity: `changeset publish` tags releases, and CI may have no global git user.
  await runCommand('git', ['config', 'user.name', 'release-test'], { cwd: target, env });
  await runCommand('git', ['config', 'user.email', 'release-test@localhost'], { cwd: target, env });
  await commitAll(target, 'working tree');
  const pnpm = join(REPO_ROOT, 'node_modules', '.bin', 'pnpm');
  await runCommand(pnpm, ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only'], {
    cwd: target,
    env,
    timeoutMs: 600_000,
  });
}
