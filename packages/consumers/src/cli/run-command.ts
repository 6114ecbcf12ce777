import { BrokerError } from '@broker/core';
import type { Command } from 'commander';
import { alreadyLogged } from './cli-logger';
import { exitCodeFor } from './exit-codes';

/**
 * How long a failed command may still take to release its connections before it exits anyway:
 * a connection attempt to a host that never answers ends only at its own timeout (10 s).
 */
const FAILED_EXIT_GRACE_MS = 1000;

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** With `--json`, how a command that failed says so on stdout: `{"ok": false, "error": {...}}`. */
export function writeJsonFailure(error: { code: string; message: string; exitCode: number }): void {
  process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
}

/**
 * Wraps a command: its result becomes the exit code; an expected error becomes one line on
 * stderr (or a JSON object with `--json`) and its exit code, never a stack trace. Unexpected
 * errors also show their stack, since they are bugs. An error the command's logger already
 * wrote (e.g. the broker's own "failed and stopped" line) is not written a second time.
 */
export function runCommand<T extends { json?: boolean }>(
  command: (options: T, cli: Command) => Promise<number>,
) {
  return async (options: T, cli: Command): Promise<void> => {
    try {
      process.exitCode = await command(options, cli);
    } catch (error) {
      const exitCode = exitCodeFor(error);
      const expected = BrokerError.isInstance(error) || (error as Error)?.name === 'UsageError';
      if (options.json) {
        const code = BrokerError.isInstance(error) ? error.code : expected ? 'USAGE' : 'INTERNAL';
        writeJsonFailure({ code, message: describe(error), exitCode });
      } else if (!expected || !alreadyLogged(error)) {
        process.stderr.write(`broker: error: ${describe(error)}\n`);
        if (!expected && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      }
      process.exitCode = exitCode;
      setTimeout(() => process.exit(), FAILED_EXIT_GRACE_MS).unref();
    }
  };
}
