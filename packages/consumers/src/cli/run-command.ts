import { BrokerError } from '@broker/core';
import { exitCodeFor } from './exit-codes';

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Wraps a command: its result becomes the exit code; an expected error becomes one line on
 * stderr (or a JSON object with `--json`) and its exit code, never a stack trace. Unexpected
 * errors also show their stack, since they are bugs.
 */
export function runCommand<T extends { json?: boolean }>(command: (options: T) => Promise<number>) {
  return async (options: T): Promise<void> => {
    try {
      process.exitCode = await command(options);
    } catch (error) {
      const exitCode = exitCodeFor(error);
      const expected = BrokerError.isInstance(error) || (error as Error)?.name === 'UsageError';
      if (options.json) {
        const code = BrokerError.isInstance(error) ? error.code : expected ? 'USAGE' : 'INTERNAL';
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code, message: describe(error), exitCode } })}\n`,
        );
      } else {
        process.stderr.write(`broker: error: ${describe(error)}\n`);
        if (!expected && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      }
      process.exitCode = exitCode;
    }
  };
}
