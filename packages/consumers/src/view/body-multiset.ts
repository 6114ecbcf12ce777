/**
 * Event bodies per conversation, counted: tells an event seen twice (in the store and live)
 * from two identical events (two `action_listen` with the same timestamp are two events), by
 * matching each occurrence once.
 */
export class BodyMultiset {
  private readonly counts = new Map<string, number>();

  private static key(senderId: string, body: string): string {
    return `${senderId}\u0000${body}`;
  }

  get size(): number {
    return this.counts.size;
  }

  add(senderId: string, body: string): void {
    const key = BodyMultiset.key(senderId, body);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Removes one occurrence; true when there was one. */
  take(senderId: string, body: string): boolean {
    const key = BodyMultiset.key(senderId, body);
    const count = this.counts.get(key);
    if (count === undefined) return false;
    if (count === 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
    return true;
  }

  clear(): void {
    this.counts.clear();
  }
}
