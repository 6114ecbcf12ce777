/**
 * The delivered-but-unsettled offsets of one partition. Messages are delivered in offset order
 * (with gaps where the log has none: compaction, transaction markers); the offset to commit is
 * the one after the last message of the longest settled prefix, so a message is never committed
 * before every earlier one of its partition was handled.
 */
export class PartitionOffsets {
  private delivered: bigint[] = [];
  private head = 0;
  private readonly settled = new Set<bigint>();

  get unsettledCount(): number {
    return this.delivered.length - this.head - this.settled.size;
  }

  /** Records a delivery; offsets must come in increasing order. */
  deliver(offset: bigint): void {
    this.delivered.push(offset);
  }

  /** Marks one delivered offset settled; returns the new offset to commit when the settled prefix grew. */
  settle(offset: bigint): bigint | undefined {
    this.settled.add(offset);
    let last: bigint | undefined;
    while (this.head < this.delivered.length && this.settled.has(this.delivered[this.head]!)) {
      last = this.delivered[this.head]!;
      this.settled.delete(last);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.delivered.length) {
      this.delivered = this.delivered.slice(this.head);
      this.head = 0;
    }
    return last === undefined ? undefined : last + 1n;
  }
}
