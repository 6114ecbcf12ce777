/**
 * The last N keys added, in a set: what `HandledMessages` remembers of recently handled
 * messages. Adding a key already present changes nothing; the oldest key is forgotten first.
 */
export class RecentDeliveries {
  private readonly seen = new Set<string>();
  /** Insertion order, oldest at `next` once full. A Set alone is a slow FIFO: evicting its first entry walks over the holes that deletions leave. */
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.order = new Array(Math.max(0, capacity));
  }

  has(key: string): boolean {
    return this.capacity > 0 && this.seen.has(key);
  }

  add(key: string): void {
    if (this.capacity <= 0 || this.seen.has(key)) return;
    const oldest = this.order[this.next];
    if (oldest !== undefined) this.seen.delete(oldest);
    this.order[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.seen.add(key);
  }
}
