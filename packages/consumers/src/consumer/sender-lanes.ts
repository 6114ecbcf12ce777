/** What a lane tells the item it runs. */
export interface LaneTurn {
  /**
   * The next item of this conversation may start now, before this one is done (its write is
   * queued in an ordered sink). Without this call the next item starts when this one is done.
   */
  release(): void;
  /** Resolves when every earlier item of this conversation is done. */
  earlierDone(): Promise<void>;
  /** Every earlier item of this conversation is done (known since the last microtask). */
  readonly earlierAreDone: boolean;
  /** This item failed: until it is done, the conversation's items go one at a time (`troubled`). */
  failed(): void;
  /** An item of this conversation failed and is not done yet. */
  readonly troubled: boolean;
}

interface Lane<T> {
  queue: T[];
  /** Items started and not done. */
  running: number;
  /** Items that failed and are not done. */
  failing: number;
  /** The loop starting queued items runs. */
  starting: boolean;
  /** Resolves when every item started so far is done. */
  allDone: Promise<void>;
}

/**
 * One FIFO lane per conversation: items of one key start strictly one after another, in
 * arrival order; different keys run concurrently. An item normally holds its lane until it is
 * done; one that `release`s it lets the next item start while it finishes (pipelining into an
 * ordered sink). How many run at once is bounded by what the source delivers (its in-flight
 * window), so lanes need no limit of their own.
 */
export class SenderLanes<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private queued = 0;
  private idleWaiters: (() => void)[] = [];

  /** `process` must not throw: it settles its item itself. */
  constructor(private readonly process: (item: T, turn: LaneTurn) => Promise<void>) {}

  push(key: string, item: T): void {
    this.queued++;
    const lane = this.lanes.get(key);
    if (lane) {
      lane.queue.push(item);
      if (!lane.starting) void this.drain(key, lane);
      return;
    }
    const fresh: Lane<T> = {
      queue: [item],
      running: 0,
      failing: 0,
      starting: false,
      allDone: Promise.resolve(),
    };
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

  private async drain(key: string, lane: Lane<T>): Promise<void> {
    lane.starting = true;
    while (lane.queue.length > 0) {
      const item = lane.queue.shift() as T;
      const earlier = lane.allDone;
      let earlierAreDone = lane.running === 0;
      if (!earlierAreDone) void earlier.then(() => (earlierAreDone = true));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let failed = false;
      lane.running++;
      const turn: LaneTurn = {
        release,
        earlierDone: () => earlier,
        get earlierAreDone() {
          return earlierAreDone;
        },
        failed: () => {
          if (failed) return;
          failed = true;
          lane.failing++;
        },
        get troubled() {
          return lane.failing > 0;
        },
      };
      const done = this.process(item, turn).then(() => {
        if (failed) lane.failing--;
        lane.running--;
        this.queued--;
        if (lane.running === 0 && !lane.starting) this.retire(key, lane);
      });
      lane.allDone = Promise.all([earlier, done]).then(() => undefined);
      await Promise.race([released, done]);
    }
    lane.starting = false;
    if (lane.running === 0) this.retire(key, lane);
  }

  private retire(key: string, lane: Lane<T>): void {
    if (this.lanes.get(key) === lane) this.lanes.delete(key);
    if (this.queued === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
