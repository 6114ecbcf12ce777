import type { BufferLimits } from './buffer-limits';
import type { UndeliveredEvent } from './event-broker';
import type { OutboundMessage } from './outbound-queue';

/** Most events, and most body bytes (and at most a fiftieth of the buffer's), the log keeps. */
const MAX_EVENTS = 1000;
const MAX_BYTES = 1024 * 1024;
const BUFFER_SHARE = 50;

/**
 * The events a broker failed or dropped before its close, for the close report. Written only
 * when something fails, so publishing pays nothing for it. Bodies are kept up to a bound, oldest
 * first; past it only the count grows, so that a long outage under `drop-oldest` does not keep
 * in memory what the buffer dropped to stay within its own limits.
 */
export class UndeliveredLog {
  /** A log whose bodies take at most a fiftieth of the buffer's bytes: 1000 events and 1 MiB at most. */
  static within(limits: Required<BufferLimits>): UndeliveredLog {
    return new UndeliveredLog(
      Math.min(limits.maxEvents, MAX_EVENTS),
      Math.min(Math.floor(limits.maxBytes / BUFFER_SHARE), MAX_BYTES),
    );
  }

  private readonly kept: UndeliveredEvent[] = [];
  private keptBytes = 0;
  private omittedCount = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  /** Records `messages` as undelivered for `reason`. */
  add(messages: readonly OutboundMessage[], reason: UndeliveredEvent['reason']): void {
    for (const message of messages) {
      if (this.kept.length < this.maxEvents && this.keptBytes + message.size <= this.maxBytes) {
        this.kept.push(toUndelivered(message, reason));
        this.keptBytes += message.size;
      } else {
        this.omittedCount++;
      }
    }
  }

  /** The kept events, oldest first (a copy). */
  get events(): UndeliveredEvent[] {
    return [...this.kept];
  }

  /** Undelivered events whose bodies were not kept because the bounds were reached. */
  get omitted(): number {
    return this.omittedCount;
  }
}

/** An event as the close report and the `undelivered` event list it. */
export function toUndelivered(
  message: OutboundMessage,
  reason: UndeliveredEvent['reason'],
): UndeliveredEvent {
  return { senderId: message.senderId, body: message.body, reason };
}
