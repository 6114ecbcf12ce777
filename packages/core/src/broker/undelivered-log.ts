import type { UndeliveredEvent } from './event-broker';
import type { OutboundMessage } from './outbound-queue';

/** Most events and body bytes the close report keeps; a listener for `undelivered` gets them all. */
export const UNDELIVERED_REPORT_LIMITS = { maxEvents: 1000, maxBytes: 1024 * 1024 } as const;

/**
 * Every event a broker accepted and did not deliver over its lifetime, for the close report.
 * Written only when something fails, so publishing pays nothing for it. Bodies are kept up to
 * the given bounds, oldest first; past them only the count grows, so that a long outage under
 * `drop-oldest` does not keep in memory what the buffer dropped to stay within its limits.
 */
export class UndeliveredLog {
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
