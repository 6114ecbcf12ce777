import { hash } from 'node:crypto';

/**
 * Fingerprints of the last N handled messages. A redelivered copy of one of them (the source
 * reconnected before its ack arrived) is acknowledged without being handled again, so a
 * conversation's handler does not see an earlier event come back after later ones.
 */
export class RecentDeliveries {
  private readonly seen = new Set<string>();
  /** Insertion order, oldest at `next` once full. A Set alone is a slow FIFO: evicting its first entry walks over the holes that deletions leave. */
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.order = new Array(Math.max(0, capacity));
  }

  /** The wire body carries the sender id, so the body alone identifies the message. */
  static fingerprint(body: string): string {
    return hash('sha1', body, 'base64');
  }

  has(fingerprint: string): boolean {
    return this.capacity > 0 && this.seen.has(fingerprint);
  }

  add(fingerprint: string): void {
    if (this.capacity <= 0 || this.seen.has(fingerprint)) return;
    const oldest = this.order[this.next];
    if (oldest !== undefined) this.seen.delete(oldest);
    this.order[this.next] = fingerprint;
    this.next = (this.next + 1) % this.capacity;
    this.seen.add(fingerprint);
  }
}
