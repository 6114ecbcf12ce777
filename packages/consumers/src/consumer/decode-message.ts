import { EventValidationError, parseEventMessage, type SourceMessage } from '@broker/core';
import type { ConsumedEvent } from './consumed-event';

/** Why a message could not become an event. */
export type MalformedKind = 'not-json' | 'missing-sender-id' | 'invalid-event';

export type DecodedMessage =
  | { ok: true; event: ConsumedEvent }
  | { ok: false; kind: MalformedKind; reason: string; error: unknown };

function kindOf(error: EventValidationError): MalformedKind {
  if (error.path === '$') return 'not-json';
  if (error.path === 'sender_id') return 'missing-sender-id';
  return 'invalid-event';
}

/** Turns a raw message into a typed event, or says precisely why it is malformed. Never throws. */
export function decodeMessage(message: SourceMessage): DecodedMessage {
  const body = message.body.toString('utf8');
  try {
    const { senderId, event } = parseEventMessage(body);
    return {
      ok: true,
      event: {
        senderId,
        event,
        body,
        headers: message.headers,
        key: message.key,
        position: message.position,
        redelivered: message.redelivered,
        messageId: message.messageId,
        meta: message.meta,
      },
    };
  } catch (error) {
    if (EventValidationError.isInstance(error)) {
      return { ok: false, kind: kindOf(error), reason: error.message, error };
    }
    return { ok: false, kind: 'invalid-event', reason: String((error as Error)?.message ?? error), error };
  }
}
