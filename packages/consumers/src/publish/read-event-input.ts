import { EventValidationError, parseEvent, parseEventMessage, serialiseEvent } from '@broker/core';

/** One event to publish: its conversation, the wire body, and where it came from (for errors). */
export interface EventInputItem {
  senderId: string;
  /** The wire body: a JSON line byte for byte, or an event of a tracker dump in Rasa's format. */
  body: string;
  /** `events.jsonl:3`, `tracker.json events[4]`. */
  source: string;
}

export interface ReadEventInputOptions {
  /** Shown in errors; default `input`. */
  name?: string;
  /** The conversation id for tracker dumps without `sender_id` (and to override it). */
  senderId?: string;
}

function isPlainObjectLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTracker(value: Record<string, unknown>): boolean {
  return Array.isArray(value.events) && !('event' in value);
}

function fromTracker(
  tracker: Record<string, unknown>,
  where: string,
  options: ReadEventInputOptions,
): EventInputItem[] {
  const senderId = options.senderId ?? tracker.sender_id;
  if (typeof senderId !== 'string' || senderId === '') {
    throw new EventValidationError(
      'sender_id',
      `${where}: the tracker dump has no sender_id; pass --sender-id to say which conversation its events belong to.`,
    );
  }
  return (tracker.events as unknown[]).map((raw, i) => {
    const at = `${where} events[${i}]`;
    try {
      if (!isPlainObjectLike(raw))
        throw new EventValidationError('$', `expected an event object, got ${typeof raw}.`);
      const event = parseEvent(raw as Record<string, unknown>);
      return { senderId, body: serialiseEvent(senderId, event), source: at };
    } catch (error) {
      throw located(error, at);
    }
  });
}

function fromBody(value: Record<string, unknown>, text: string | undefined, where: string): EventInputItem {
  try {
    const { senderId, event } = parseEventMessage(value);
    return { senderId, body: text ?? serialiseEvent(senderId, event), source: where };
  } catch (error) {
    throw located(error, where);
  }
}

function located(error: unknown, where: string): Error {
  if (EventValidationError.isInstance(error)) {
    return new EventValidationError(error.path, `${where}: ${error.message}`, { cause: error });
  }
  return error as Error;
}

function fromValue(value: unknown, text: string | undefined, where: string, options: ReadEventInputOptions) {
  if (!isPlainObjectLike(value)) {
    throw new EventValidationError(
      '$',
      `${where}: expected an event message or a tracker dump (a JSON object).`,
    );
  }
  const object = value as Record<string, unknown>;
  return isTracker(object) ? fromTracker(object, where, options) : [fromBody(object, text, where)];
}

/**
 * Reads events to publish from text: JSON lines (each an event message with `sender_id`, or a
 * tracker dump), one tracker dump (`{"sender_id": ..., "events": [...]}` as Rasa's
 * `/conversations/<id>/tracker` returns it), or a JSON array of either. Everything is
 * validated before anything is published; errors name the line or event.
 */
export function readEventInput(text: string, options: ReadEventInputOptions = {}): EventInputItem[] {
  const name = options.name ?? 'input';
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let whole: unknown;
    let parsed = false;
    try {
      whole = JSON.parse(trimmed);
      parsed = true;
    } catch {
      // Not one JSON document: read it as JSON lines below.
    }
    if (parsed) {
      if (Array.isArray(whole)) {
        return whole.flatMap((item, i) => fromValue(item, undefined, `${name}[${i}]`, options));
      }
      const singleLine = !trimmed.includes('\n');
      return fromValue(whole, singleLine ? trimmed : undefined, singleLine ? `${name}:1` : name, options);
    }
  }
  const items: EventInputItem[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    const where = `${name}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const preview = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new EventValidationError('$', `${where}: not JSON (${JSON.stringify(preview)}).`);
    }
    items.push(...fromValue(value, line, where, options));
  });
  return items;
}
