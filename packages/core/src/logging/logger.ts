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
}

const noop = (): void => {};

/**
 * Discards everything. Passed as `logger`, it also silences the process warnings a broker or
 * tracker store writes for failures nobody listens for when it has no logger.
 */
export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** `logger.child(bindings)` when the logger supports it, else the logger itself. */
export function childLogger(logger: Logger | undefined, bindings: Record<string, unknown>): Logger {
  if (!logger) return noopLogger;
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}
