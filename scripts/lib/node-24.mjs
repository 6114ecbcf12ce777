import { runCommand } from './run-command.mjs';

/** The Node major the release tests run on besides the one running them. */
export const SECOND_NODE_MAJOR = 24;

/**
 * The path of a Node 24 binary, from the `node` package on npm (`npx -y node@24`, cached by npx
 * after the first download), checked to really be Node 24.
 *
 * @returns {Promise<string>}
 */
export async function node24Binary() {
  const { stdout } = await runCommand(
    'npx',
    ['--yes', `node@${SECOND_NODE_MAJOR}`, '-p', 'JSON.stringify([process.execPath, process.versions.node])'],
    { timeoutMs: 300_000 },
  );
  const [execPath, version] = JSON.parse(stdout.trim().split('\n').pop() ?? '[]');
  if (!String(version).startsWith(`${SECOND_NODE_MAJOR}.`)) {
    throw new Error(
      `npx node@${SECOND_NODE_MAJOR} ran Node ${version} (${execPath}), not Node ${SECOND_NODE_MAJOR}.`,
    );
  }
  return execPath;
}
