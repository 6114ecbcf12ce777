import { EventValidationError } from '../errors/errors';
import type { ParsedEvent } from '../events/event-types';
import { describeValue, isPlainObject } from '../events/field-checks';
import { findUnencodable } from '../events/find-unencodable';
import { checkEventMessage } from '../events/parse-event';
import { serialiseEvent, serialiseEventMessage } from '../events/serialise-event';
import type { EventBody } from './event-broker';

export interface EncodedEventBody {
  senderId: string;
  /** The JSON text to put on the wire. */
  body: string;
}

/**
 * Validates whatever `publish` was given and returns the conversation id and the exact JSON
 * text to send. Objects are written in Rasa's format; strings and bytes are sent as given.
 * Throws only EventValidationError: a body that cannot be read or written as JSON (a circular
 * reference, a getter or `toJSON()` that throws) names the field, instead of surfacing the
 * RangeError or the getter's own error from inside `publish()`.
 */
export function encodeEventBody(body: EventBody): EncodedEventBody {
  try {
    return encodeValidated(body);
  } catch (error) {
    if (EventValidationError.isInstance(error)) throw error;
    const found = findUnencodable(body);
    const cause = found?.thrown ?? error;
    throw new EventValidationError(
      found?.path ?? '$',
      found
        ? `Cannot publish this event: ${shortened(found.path)} ${found.problem}.`
        : `Cannot publish this event: writing it as JSON failed (${String((error as Error)?.message ?? error)}).`,
      { cause },
    );
  }
}

/** A path for a message: a field nested hundreds of levels deep is named by its start. */
function shortened(path: string): string {
  return path.length > 120 ? `${path.slice(0, 120)}…` : path;
}

function encodeValidated(body: EventBody): EncodedEventBody {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    return { senderId: checkEventMessage(text), body: text };
  }
  if (!isPlainObject(body)) {
    throw new EventValidationError(
      '$',
      `Cannot publish ${describeValue(body)}: expected an event body object with sender_id, or its JSON text.`,
    );
  }
  // A plain object is written as it is; anything else (a class instance, whose prototype getters
  // a copy would not carry) is first copied to its own fields, as before.
  const prototype = Object.getPrototypeOf(body);
  if (prototype === Object.prototype || prototype === null) return serialiseEventMessage(body);
  const { sender_id: senderId, ...event } = body;
  return { senderId, body: serialiseEvent(senderId, event as unknown as ParsedEvent) };
}
