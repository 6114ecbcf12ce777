import { createHash } from 'node:crypto';

/**
 * Fingerprints of the last N handled messages. A redelivered copy of one of them (the source
 * reconnected before its ack arrived) is acknowledged without being handled again, so a
 * conversation's handler does not see an earlier event come back after later ones.
 */
export class RecentDeliveries {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  static fingerprint(senderId: string, body: string): string {
    return createHash('sha1').update(senderId).update('\u0000').update(body).digest('base64');
  }

  has(fingerprint: string): boolean {
    return this.capacity > 0 && this.seen.has(fingerprint);
  }

  add(fingerprint: string): void {
    if (this.capacity <= 0) return;
    this.seen.delete(fingerprint);
    this.seen.add(fingerprint);
    if (this.seen.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
  }
}
