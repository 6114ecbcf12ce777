import { execFileSync } from 'node:child_process';
import { CLI, type CliRun, startProcess } from './run-cli';

/** Throws how to install util-linux `script` when it is missing. */
export function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'These tests need util-linux `script` to run the command on a pseudo-terminal (Debian: apt-get install bsdutils).',
    );
  }
}

/** `arg` as one word of a shell command. */
export const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Starts the built CLI under a pseudo-terminal (util-linux `script`): stdin, stdout and stderr
 * are a terminal, as when a person types the command; `redirect` is shell text appended to the
 * command (e.g. `> file`). Its output is everything the terminal showed.
 */
export function startOnTerminal(args: string[], redirect = ''): CliRun {
  const command = `${[process.execPath, CLI, ...args].map(shellQuote).join(' ')}${redirect}`;
  // -e: script exits with the command's exit code; -f: flush as it comes.
  return startProcess('script', ['-qefc', command, '/dev/null'], {
    env: { ...process.env, NODE_PATH: '', TERM: 'xterm', COLUMNS: '120', LINES: '40' },
  });
}

/** Runs the CLI on a pseudo-terminal to completion (killed after 60 s). */
export async function onTerminal(
  args: string[],
  redirect = '',
): Promise<{ code: number | null; screen: string }> {
  const run = startOnTerminal(args, redirect);
  const timer = setTimeout(() => run.kill(), 60_000);
  const result = await run.done;
  clearTimeout(timer);
  return { code: result.code, screen: result.stdout + result.stderr };
}

/** The `value/total` of every frame of the export's progress bar drawn on the terminal, in order. */
export function barFrames(screen: string): [number, number][] {
  return [...screen.matchAll(/exporting \[[=-]+\] (\d+)\/(\d+) events \| /g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);
}
