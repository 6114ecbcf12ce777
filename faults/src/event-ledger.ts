/** One event as the ledger knows it: its conversation and its number within that conversation. */
export interface LedgerEntry {
  sender: string;
  n: number;
}

export interface LedgerReport {
  senders: number;
  /** Events the code under test accepted. */
  accepted: number;
  /** Deliveries the consumer saw, duplicates included. */
  seen: number;
  /** Accepted events never seen, as `sender#n` (the first 20). */
  lostIds: string[];
  lost: number;
  /** Extra copies seen beyond the first. */
  duplicated: number;
  /** Seen events that were never accepted (must not exist). */
  unexpected: number;
  /** Conversations whose events, at their first arrival, are not in publish order, with the first inversion. */
  reordered: { sender: string; after: number; came: number }[];
}

/**
 * The event ledger of a fault scenario: every event `publish` accepted, per conversation in
 * publish order, against every delivery a consumer saw. At-least-once delivery allows
 * duplicates (counted); nothing may be lost, and each conversation's events must arrive in
 * order at their first arrival.
 */
export class EventLedger {
  private readonly acceptedBySender = new Map<string, number[]>();
  private readonly seenCount = new Map<string, number>();
  private readonly firstArrivals = new Map<string, number[]>();
  private acceptedTotal = 0;
  private seenTotal = 0;

  static id(entry: LedgerEntry): string {
    return `${entry.sender}#${entry.n}`;
  }

  accepted(entry: LedgerEntry): void {
    const list = this.acceptedBySender.get(entry.sender) ?? [];
    list.push(entry.n);
    this.acceptedBySender.set(entry.sender, list);
    this.acceptedTotal++;
  }

  seen(entry: LedgerEntry): void {
    const id = EventLedger.id(entry);
    const count = (this.seenCount.get(id) ?? 0) + 1;
    this.seenCount.set(id, count);
    this.seenTotal++;
    if (count === 1) {
      const list = this.firstArrivals.get(entry.sender) ?? [];
      list.push(entry.n);
      this.firstArrivals.set(entry.sender, list);
    }
  }

  /** Accepted events seen at least once. */
  get seenUniqueAccepted(): number {
    let count = 0;
    for (const [sender, numbers] of this.acceptedBySender) {
      for (const n of numbers) if (this.seenCount.has(EventLedger.id({ sender, n }))) count++;
    }
    return count;
  }

  /** Whether every accepted event was seen. */
  complete(): boolean {
    return this.seenUniqueAccepted === this.acceptedTotal;
  }

  /** How many events each conversation had accepted so far (for `hasSeenAll`). */
  snapshot(): Map<string, number> {
    return new Map([...this.acceptedBySender].map(([sender, numbers]) => [sender, numbers.length]));
  }

  /** Whether every event accepted up to `snapshot` was seen. */
  hasSeenAll(snapshot: Map<string, number>): boolean {
    for (const [sender, count] of snapshot) {
      const numbers = this.acceptedBySender.get(sender) ?? [];
      for (let i = 0; i < count; i++) {
        if (!this.seenCount.has(EventLedger.id({ sender, n: numbers[i]! }))) return false;
      }
    }
    return true;
  }

  report(): LedgerReport {
    const lostIds: string[] = [];
    let lost = 0;
    const acceptedIds = new Set<string>();
    for (const [sender, numbers] of this.acceptedBySender) {
      for (const n of numbers) {
        const id = EventLedger.id({ sender, n });
        acceptedIds.add(id);
        if (!this.seenCount.has(id)) {
          lost++;
          if (lostIds.length < 20) lostIds.push(id);
        }
      }
    }
    let duplicated = 0;
    let unexpected = 0;
    for (const [id, count] of this.seenCount) {
      duplicated += count - 1;
      if (!acceptedIds.has(id)) unexpected++;
    }
    const reordered: LedgerReport['reordered'] = [];
    for (const [sender, arrivals] of this.firstArrivals) {
      const order = new Map((this.acceptedBySender.get(sender) ?? []).map((n, position) => [n, position]));
      for (let i = 1; i < arrivals.length; i++) {
        const before = order.get(arrivals[i - 1]!) ?? -1;
        const now = order.get(arrivals[i]!) ?? -1;
        if (now < before) {
          reordered.push({ sender, after: arrivals[i - 1]!, came: arrivals[i]! });
          break;
        }
      }
    }
    return {
      senders: this.acceptedBySender.size,
      accepted: this.acceptedTotal,
      seen: this.seenTotal,
      lostIds,
      lost,
      duplicated,
      unexpected,
      reordered,
    };
  }
}
