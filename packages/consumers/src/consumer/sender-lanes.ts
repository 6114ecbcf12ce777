/**
 * One FIFO lane per conversation: items of one key are processed strictly one after another,
 * in arrival order; different keys run concurrently. How many run at once is bounded by what
 * the source delivers (its in-flight window), so lanes need no limit of their own.
 */
export class SenderLanes<T> {
  private readonly lanes = new Map<string, T[]>();
  private queued = 0;
  private idleWaiters: (() => void)[] = [];

  /** `process` must not throw: it settles its item itself. */
  constructor(private readonly process: (item: T) => Promise<void>) {}

  push(key: string, item: T): void {
    this.queued++;
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(item);
      return;
    }
    const fresh = [item];
    this.lanes.set(key, fresh);
    void this.drain(key, fresh);
  }

  /** Conversations with work queued or running. */
  get activeLanes(): number {
    return this.lanes.size;
  }

  /** Items queued or running. */
  get size(): number {
    return this.queued;
  }

  /** Resolves when every lane is empty. */
  whenIdle(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(key: string, lane: T[]): Promise<void> {
    while (lane.length > 0) {
      await this.process(lane[0] as T);
      lane.shift();
      this.queued--;
    }
    this.lanes.delete(key);
    if (this.queued === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
