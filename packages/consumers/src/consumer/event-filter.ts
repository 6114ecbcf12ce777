import { isKnownEventType } from '@broker/core';
import type { ConsumedEvent } from './consumed-event';

export interface EventFilterOptions {
  /** Only these event types (`user`, `bot`, `action`, ...); others are acknowledged without handling. */
  types?: readonly string[];
  /** Only these conversations (sender ids). */
  senders?: readonly string[];
  /** Event types this version does not know: handed over as `UnknownEvent` (default) or skipped. */
  unknownEvents?: 'handle' | 'skip';
  /** Any other condition; `false` skips the event. */
  where?: (event: ConsumedEvent) => boolean;
}

/** A predicate saying whether an event is handled (true) or acknowledged and skipped (false). */
export function createEventFilter(options: EventFilterOptions = {}): (event: ConsumedEvent) => boolean {
  const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
  const senders = options.senders && options.senders.length > 0 ? new Set(options.senders) : undefined;
  const skipUnknown = options.unknownEvents === 'skip';
  const where = options.where;
  return (consumed) => {
    const type = consumed.event.event;
    if (types && !types.has(type)) return false;
    if (senders && !senders.has(consumed.senderId)) return false;
    if (skipUnknown && !isKnownEventType(type)) return false;
    return where ? where(consumed) : true;
  };
}
