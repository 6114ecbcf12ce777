import type { Logger } from '@broker/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The fields every JSON line starts with; a log call's field of the same name is left out. */
const LINE_KEYS = new Set(['level', 'time', 'msg']);

/** Errors a CLI logger wrote at error level (as `err`): the command's final report does not repeat them. */
const writtenErrors = new WeakSet<object>();

/** Whether a CLI logger of this process already wrote `error` on stderr at error level. */
export function alreadyLogged(error: unknown): boolean {
  return typeof error === 'object' && error !== null && writtenErrors.has(error);
}

function plain(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

/**
 * The command line's logger: one line per message on stderr, as text for people or as JSON
 * with `--json`. Adapters log censored URLs; nothing here adds secrets.
 */
export function createCliLogger(options: {
  level: LogLevel;
  json: boolean;
  stream?: NodeJS.WritableStream;
  bindings?: Record<string, unknown>;
}): Logger {
  const stream = options.stream ?? process.stderr;
  const threshold = LOG_LEVELS.indexOf(options.level);
  const make = (level: Exclude<LogLevel, 'silent'>) =>
    ((first: unknown, second?: unknown) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const context = typeof first === 'string' ? {} : (first as Record<string, unknown>);
      const message = typeof first === 'string' ? first : String(second ?? '');
      if (options.json) {
        const fields = Object.entries({ ...options.bindings, ...context })
          .filter(([key]) => !LINE_KEYS.has(key))
          .map(([key, value]) => [key, plain(value)]);
        stream.write(
          `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...Object.fromEntries(fields) })}\n`,
        );
      } else {
        stream.write(`broker: ${level === 'info' ? '' : `${level}: `}${message}\n`);
      }
      if (level === 'error' && typeof context.err === 'object' && context.err !== null)
        writtenErrors.add(context.err);
    }) as Logger['info'];
  const logger: Logger = {
    debug: make('debug'),
    info: make('info'),
    warn: make('warn'),
    error: make('error'),
    child: (bindings) => createCliLogger({ ...options, bindings: { ...options.bindings, ...bindings } }),
    bindings: () => ({ ...options.bindings }),
  };
  return logger;
}
