import type { Logger } from '@broker/core';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context: Record<string, unknown>;
}

/** A logger that keeps every line, for assertions on warnings (and on what never gets logged). */
export function captureLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (first: string | Record<string, unknown>, message?: string): void => {
      if (typeof first === 'string') lines.push({ level, message: first, context: {} });
      else lines.push({ level, message: message ?? '', context: first });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () =>
      lines
        .map(
          (l) =>
            `${l.level} ${l.message} ${JSON.stringify(l.context, (_k, v) => (v instanceof Error ? v.message : v))}`,
        )
        .join('\n'),
  };
}
