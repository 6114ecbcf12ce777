import type { EventBroker } from '@broker/core';
import type { EventLedger } from './event-ledger';
import { numberedEvent } from './numbered-events';

/**
 * Publishes numbered events round-robin over `senders` conversations at about `rate` per
 * second (in 10 ms ticks), the way a busy bot would, whatever state the broker is in. Every
 * event `publish` accepts goes into the ledger; one it refuses is counted, not retried.
 */
export class SteadyPublisher {
  private readonly next = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private refused = 0;
  private accepted = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    private readonly broker: EventBroker,
    private readonly ledger: EventLedger,
    private readonly options: { senders: number; rate: number },
  ) {}

  start(): this {
    const perTick = Math.max(1, Math.round(this.options.rate / 100));
    this.timer = setInterval(() => this.publish(perTick), 10);
    return this;
  }

  /** Stops publishing; resolves with how many events were accepted and refused. */
  stop(): { accepted: number; refused: number } {
    clearInterval(this.timer);
    return { accepted: this.accepted, refused: this.refused };
  }

  /** Resolves once `count` more events were accepted. */
  acceptedMore(count: number): Promise<void> {
    const target = this.accepted + count;
    return new Promise((resolve) => this.waiters.push({ count: target, resolve }));
  }

  /** Publishes `count` events at once (outside the ticks). */
  publish(count: number): void {
    for (let i = 0; i < count; i++) {
      const sender = `conversation-${this.turn++ % this.options.senders}`;
      const n = this.next.get(sender) ?? 0;
      try {
        this.broker.publish(numberedEvent({ sender, n }));
      } catch {
        this.refused++;
        continue;
      }
      this.next.set(sender, n + 1);
      this.ledger.accepted({ sender, n });
      this.accepted++;
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (this.accepted < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}
