import { EventValidationError } from '../errors/errors';
import { COMMON_KEYS, EVENT_SPECS } from './event-schema';
import type { ParsedEvent } from './event-types';
import { describeValue, isPlainObject } from './field-checks';
import { findEventProblems } from './parse-event';
import { NonFiniteNumberError, toPythonJson } from './python-json';

export interface SerialiseEventOptions {
  /**
   * Where `sender_id` goes. Live streaming writes it first (`{"sender_id": ...} | as_dict()`);
   * `rasa export` appends it last. Default `first`.
   */
  senderIdPosition?: 'first' | 'last';
  /** Skip validation when the event is known to be valid (e.g. it came from `parseEvent`). */
  trusted?: boolean;
}

const isEmptyObject = (value: unknown): boolean => isPlainObject(value) && Object.keys(value).length === 0;

/** The event as Rasa 3.x's `as_dict()` orders it: event, timestamp, metadata, typed keys, extras. */
export function orderEventFields(event: ParsedEvent): Record<string, unknown> {
  const spec = EVENT_SPECS.get(event.event);
  const source = spec?.writeAs
    ? spec.writeAs(event as Record<string, unknown>)
    : (event as Record<string, unknown>);
  const writtenSpec = spec?.writeAs ? EVENT_SPECS.get(source.event as string) : spec;
  const out: Record<string, unknown> = { event: source.event, timestamp: source.timestamp };
  const metadata = source.metadata;
  const hasMetadata = metadata !== undefined && metadata !== null && !isEmptyObject(metadata);
  // Unknown types keep their metadata as given: we do not know their writer's rule.
  if (hasMetadata || (!spec && metadata !== undefined)) out.metadata = metadata;
  const skip = new Set(COMMON_KEYS);
  // Input-only keys of the original type (e.g. form_validation's `validate`) are never written.
  for (const field of spec?.fields ?? []) if (field.inputOnly) skip.add(field.key);
  for (const field of writtenSpec?.fields ?? []) {
    if (field.inputOnly) continue;
    skip.add(field.key);
    if (source[field.key] !== undefined) out[field.key] = source[field.key];
  }
  if (!hasMetadata && writtenSpec?.alwaysWritesMetadata && metadata !== undefined)
    out.metadata = metadata ?? {};
  for (const [key, value] of Object.entries(source)) {
    if (!skip.has(key) && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The wire body Rasa publishes for one event of conversation `senderId`: `sender_id` first,
 * then Rasa's key order, encoded the way Python's `json.dumps` encodes it. Validates the event
 * first (unless `trusted`) and throws an EventValidationError naming the field.
 */
export function serialiseEvent(
  senderId: string,
  event: ParsedEvent,
  options: SerialiseEventOptions = {},
): string {
  if (typeof senderId !== 'string' || senderId === '') {
    throw new EventValidationError(
      'sender_id',
      `Cannot serialise an event: sender_id must be a non-empty string (the conversation id), got ${describeValue(senderId)}.`,
    );
  }
  if (!options.trusted) {
    if (!isPlainObject(event)) {
      throw new EventValidationError(
        '$',
        `Cannot serialise an event: expected an object, got ${describeValue(event)}.`,
      );
    }
    const [problem] = findEventProblems(event);
    if (problem) {
      throw new EventValidationError(
        problem.path,
        `Invalid "${String(event.event)}" event: ${problem.path} must be ${problem.expected}, got ${describeValue(problem.actual)}.`,
      );
    }
  }
  const ordered = orderEventFields(event);
  const body =
    options.senderIdPosition === 'last'
      ? { ...ordered, sender_id: senderId }
      : { sender_id: senderId, ...ordered };
  try {
    return toPythonJson(body);
  } catch (error) {
    if (error instanceof NonFiniteNumberError) {
      throw new EventValidationError(
        error.path,
        `Invalid "${event.event}" event: ${error.path} is NaN or Infinity, which JSON cannot carry.`,
      );
    }
    throw error;
  }
}
