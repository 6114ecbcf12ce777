import type { Logger } from '@broker/core';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context: Record<string, unknown>;
}

/** A Logger that keeps every entry, so tests can assert on warnings and on what never appears. */
export function recordingLogger(): Logger & { entries: LogEntry[]; text(): string; warnings(): string[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (contextOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof contextOrMessage === 'string')
        entries.push({ level, message: contextOrMessage, context: {} });
      else entries.push({ level, message: message ?? '', context: contextOrMessage });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () =>
      entries
        .map(
          (e) =>
            `${e.level} ${e.message} ${JSON.stringify(e.context, (_, v) => (v instanceof Error ? v.message : v))}`,
        )
        .join('\n'),
    warnings: () => entries.filter((e) => e.level === 'warn').map((e) => e.message),
  };
}
