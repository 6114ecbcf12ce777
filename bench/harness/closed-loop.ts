import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from './latency-recorder';

export interface ClosedLoopOptions {
  /** Events to publish. */
  count: number;
  /** Most events published and not yet confirmed: the application keeps at most this many in flight. */
  window: number;
  /** Publishes event `index`; the side calls `acked(index)` once the broker confirmed it. */
  send(index: number): void;
}

/**
 * Closed-loop throughput driver, the same for every side: keeps `window` events unconfirmed,
 * tops up after confirmations (on a microtask, never inside the side's confirm callback), and
 * records each event's publish-to-confirm latency.
 */
export class ClosedLoop {
  readonly ackLatency = new LatencyRecorder();
  private readonly sentAt: Float64Array;
  private readonly confirmed: Uint8Array;
  private next = 0;
  private done = 0;
  private refillQueued = false;
  private finish: (() => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;

  constructor(private readonly options: ClosedLoopOptions) {
    this.sentAt = new Float64Array(options.count);
    this.confirmed = new Uint8Array(options.count);
  }

  /** Publishes until every event is confirmed; rejects if a side reports a failure. */
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      if (this.options.count === 0) resolve();
      else this.refill();
    });
  }

  /** The broker confirmed event `index` (a second confirmation of the same event is ignored). */
  acked(index: number, at = performance.now()): void {
    if (index < 0 || index >= this.options.count || this.confirmed[index] === 1) return;
    this.confirmed[index] = 1;
    this.ackLatency.recordSince(this.sentAt[index]!, at);
    this.done++;
    if (this.done === this.options.count) {
      this.finish?.();
      return;
    }
    if (!this.refillQueued) {
      this.refillQueued = true;
      queueMicrotask(() => {
        this.refillQueued = false;
        this.refill();
      });
    }
  }

  /** A side reports that an event can never be confirmed. */
  failed(error: unknown): void {
    this.fail?.(error);
  }

  private refill(): void {
    const { count, window, send } = this.options;
    try {
      while (this.next < count && this.next - this.done < window) {
        const index = this.next++;
        this.sentAt[index] = performance.now();
        send(index);
      }
    } catch (error) {
      this.fail?.(error);
    }
  }
}
