import type { EventMessage, ParsedEvent } from '@broker/core';

export interface TranscriptOptions {
  /** ANSI colours (only on a terminal). */
  color?: boolean;
}

const codes = {
  dim: [2, 22],
  bold: [1, 22],
  cyan: [36, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
} as const;
type Style = keyof typeof codes;

function styler(enabled: boolean) {
  return (style: Style, text: string) =>
    enabled ? `\u001b[${codes[style][0]}m${text}\u001b[${codes[style][1]}m` : text;
}

function clock(timestamp: number | undefined): string {
  if (timestamp === undefined) return '--:--:--';
  return new Date(timestamp * 1000).toISOString().slice(11, 19);
}

function describeEvent(event: ParsedEvent, paint: ReturnType<typeof styler>): string {
  const e = event as Record<string, unknown>;
  switch (event.event) {
    case 'user': {
      const intent = (e.parse_data as { intent?: { name?: string | null; confidence?: number } } | undefined)
        ?.intent;
      const detail = intent?.name
        ? paint(
            'dim',
            `  (intent ${intent.name}${intent.confidence !== undefined ? ` ${intent.confidence.toFixed(2)}` : ''})`,
          )
        : '';
      return `${paint('green', 'user')}  ${paint('bold', String(e.text ?? ''))}${detail}`;
    }
    case 'bot':
      return `${paint('cyan', 'bot')}   ${paint('bold', String(e.text ?? ''))}`;
    case 'action': {
      const policy = e.policy
        ? paint(
            'dim',
            `  (${String(e.policy)}${typeof e.confidence === 'number' ? ` ${e.confidence.toFixed(2)}` : ''})`,
          )
        : '';
      return `${paint('dim', 'action')} ${String(e.name)}${policy}`;
    }
    case 'slot':
      return `${paint('yellow', 'slot')}  ${String(e.name)} = ${JSON.stringify(e.value)}`;
    case 'session_started':
      return paint('magenta', '── session started ──');
    case 'active_loop':
    case 'form':
      return `${paint('yellow', 'loop')}  ${e.name === null ? 'deactivated' : String(e.name)}`;
    default: {
      const { event: type, timestamp: _t, metadata: _m, ...rest } = e;
      const fields = Object.keys(rest).length > 0 ? ` ${paint('dim', JSON.stringify(rest))}` : '';
      return `${paint('dim', String(type))}${fields}`;
    }
  }
}

/** One human-readable line per event: time, conversation, what happened. */
export function formatTranscriptLine(message: EventMessage, options: TranscriptOptions = {}): string {
  const paint = styler(options.color ?? false);
  const time = paint('dim', clock(message.event.timestamp));
  return `${time} ${paint('magenta', message.senderId.padEnd(10))} ${describeEvent(message.event, paint)}`;
}
