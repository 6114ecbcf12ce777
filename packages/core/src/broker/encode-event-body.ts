import { EventValidationError } from '../errors/errors';
import type { ParsedEvent } from '../events/event-types';
import { describeValue, isPlainObject } from '../events/field-checks';
import { checkEventMessage } from '../events/parse-event';
import { serialiseEvent } from '../events/serialise-event';
import type { EventBody } from './event-broker';

export interface EncodedEventBody {
  senderId: string;
  /** The JSON text to put on the wire. */
  body: string;
}

/**
 * Validates whatever `publish` was given and returns the conversation id and the exact JSON
 * text to send. Objects are written in Rasa's format; strings and bytes are sent as given.
 */
export function encodeEventBody(body: EventBody): EncodedEventBody {
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
  const { sender_id: senderId, ...event } = body;
  return { senderId, body: serialiseEvent(senderId, event as unknown as ParsedEvent) };
}
