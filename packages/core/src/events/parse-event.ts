import { EventValidationError } from '../errors/errors';
import { EVENT_SPECS } from './event-schema';
import type { EventMessage, ParsedEvent, RasaEvent } from './event-types';
import { describeValue, type FieldProblem, isPlainObject } from './field-checks';

export interface ParseEventOptions {
  /** Reject event types this version does not know instead of returning them verbatim. */
  strict?: boolean;
}

/** Untrusted JSON: text, UTF-8 bytes, or an already-parsed object. */
export type JsonInput = string | Uint8Array | Record<string, unknown>;

function problemError(type: string, problem: FieldProblem, count: number): EventValidationError {
  const more = count > 1 ? ` (and ${count - 1} more problem${count > 2 ? 's' : ''})` : '';
  const subject = type ? `"${type}" event` : 'event';
  return new EventValidationError(
    problem.path,
    `Invalid ${subject}: ${problem.path} must be ${problem.expected}, got ${describeValue(problem.actual)}${more}.`,
    { details: { eventType: type, path: problem.path, expected: problem.expected } },
  );
}

function toObject(input: JsonInput, what: string): Record<string, unknown> {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (cause) {
      const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
      throw new EventValidationError('$', `Invalid ${what}: not JSON (${JSON.stringify(preview)}).`, {
        cause,
      });
    }
  }
  if (!isPlainObject(value)) {
    throw new EventValidationError(
      '$',
      `Invalid ${what}: expected a JSON object, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** Validates one event object in place and reports every problem found, in field order. */
export function findEventProblems(
  event: Record<string, unknown>,
  options: ParseEventOptions = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof event.event !== 'string' || event.event === '') {
    problems.push({ path: 'event', expected: 'an event type name such as "user"', actual: event.event });
    return problems;
  }
  if (typeof event.timestamp !== 'number' || !Number.isFinite(event.timestamp)) {
    problems.push({
      path: 'timestamp',
      expected: 'a number of seconds since the epoch',
      actual: event.timestamp,
    });
  }
  if (event.metadata !== undefined && event.metadata !== null && !isPlainObject(event.metadata)) {
    problems.push({ path: 'metadata', expected: 'an object', actual: event.metadata });
  }
  const spec = EVENT_SPECS.get(event.event);
  if (!spec) {
    if (options.strict) {
      problems.push({ path: 'event', expected: 'a Rasa 3.x event type name', actual: event.event });
    }
    return problems;
  }
  for (const field of spec.fields) {
    const value = event[field.key];
    if (value === undefined) {
      if (field.required)
        problems.push({
          path: field.key,
          expected: field.check(undefined) ?? 'present (any JSON value)',
          actual: value,
        });
      continue;
    }
    const expected = field.check(value);
    if (expected !== undefined) problems.push({ path: field.key, expected, actual: value });
    else field.deep?.(value, field.key, problems);
  }
  return problems;
}

/**
 * Validates untrusted JSON (a string, bytes or an already-parsed object) as one Rasa event.
 * Unknown event types come back verbatim unless `strict` is set; invalid input throws an
 * EventValidationError naming the field path and what was expected.
 */
export function parseEvent(input: JsonInput, options: { strict: true }): RasaEvent;
export function parseEvent(input: JsonInput, options?: ParseEventOptions): ParsedEvent;
export function parseEvent(input: JsonInput, options: ParseEventOptions = {}): ParsedEvent {
  const event = toObject(input, 'event');
  const problems = findEventProblems(event, options);
  const first = problems[0];
  if (first) throw problemError(typeof event.event === 'string' ? event.event : '', first, problems.length);
  return event as unknown as ParsedEvent;
}

/** Checks a parsed wire message in place (the event checks ignore `sender_id`) and returns its conversation id. */
function checkMessageObject(body: Record<string, unknown>, options: ParseEventOptions): string {
  const senderId = body.sender_id;
  if (typeof senderId !== 'string' || senderId === '') {
    throw new EventValidationError(
      'sender_id',
      `Invalid event message: sender_id must be a non-empty string (the conversation id), got ${describeValue(senderId)}.`,
    );
  }
  const problems = findEventProblems(body, options);
  const first = problems[0];
  if (first) throw problemError(typeof body.event === 'string' ? body.event : '', first, problems.length);
  return senderId;
}

/**
 * Parses one wire message (`{"sender_id": ..., "event": ..., ...}`), as Rasa publishes it to
 * RabbitMQ, Kafka or the file broker, into the conversation id and the typed event.
 */
export function parseEventMessage(input: JsonInput, options: ParseEventOptions = {}): EventMessage {
  const body = toObject(input, 'event message');
  const senderId = checkMessageObject(body, options);
  const { sender_id: _senderId, ...event } = body;
  return { senderId, event: event as unknown as ParsedEvent };
}

/**
 * Checks one wire message exactly as `parseEventMessage` does and returns only its conversation
 * id, without building the event: for publishers, which send the text as it is.
 */
export function checkEventMessage(input: JsonInput, options: ParseEventOptions = {}): string {
  return checkMessageObject(toObject(input, 'event message'), options);
}
