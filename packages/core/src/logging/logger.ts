/**
 * The logger shape every `@broker/*` package accepts: pino's `LogFn` call forms, so a pino (or
 * pino-compatible) logger can be passed as is. Nothing here ever writes to the console.
 */
export interface LogFn {
  (message: string): void;
  (context: Record<string, unknown>, message?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** pino-style child logger; optional, callers fall back to the parent. */
  child?(bindings: Record<string, unknown>): Logger;
  /** The fields this logger adds to every line (pino's `bindings()`); optional. */
  bindings?(): Record<string, unknown>;
}

const noop = (): void => {};

/**
 * Discards everything. Passed as `logger`, it also silences the process warnings a broker or
 * tracker store writes for failures nobody listens for when it has no logger.
 */
export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error);
}

/**
 * `logger` seen through the fields it binds (`bound`): a log call's field with a bound key is
 * left out, and its children bind only keys not bound yet. pino writes a key as often as it is
 * given (parent binding, child binding, the call's object), so a line would carry it twice.
 */
function scoped(logger: Logger, bound: Record<string, unknown>): Logger {
  const boundKeys = Object.keys(bound);
  const view = { bindings: () => ({ ...bound }) } as Logger;
  for (const level of LEVELS) {
    view[level] = ((first: unknown, ...rest: unknown[]) => {
      const fields =
        isFields(first) && boundKeys.some((key) => key in first)
          ? Object.fromEntries(Object.entries(first).filter(([key]) => !(key in bound)))
          : first;
      (logger[level] as (...args: unknown[]) => void).call(logger, fields, ...rest);
    }) as LogFn;
  }
  view.child = (bindings) => {
    const added = Object.fromEntries(Object.entries(bindings).filter(([key]) => !(key in bound)));
    return scoped((logger.child as NonNullable<Logger['child']>).call(logger, added), {
      ...bound,
      ...added,
    });
  };
  return view;
}

/**
 * `logger.child(bindings)` when the logger supports it, else the logger itself. No key is
 * written twice on a line: a key the logger already binds keeps its value (an application's
 * own `component` stands), and a log call's field with a bound key is left out.
 */
export function childLogger(logger: Logger | undefined, bindings: Record<string, unknown>): Logger {
  if (!logger) return noopLogger;
  if (typeof logger.child !== 'function') return logger;
  const bound = typeof logger.bindings === 'function' ? logger.bindings() : {};
  return (scoped(logger, bound).child as NonNullable<Logger['child']>)(bindings);
}
