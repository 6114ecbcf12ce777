import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder } from './latency-recorder';

export interface FixedRateOptions {
  /** Events per second. */
  rate: number;
  /** Events to send. */
  count: number;
  /** Sends event `index`; `scheduledAt` is when it was due (`performance.now()` clock). */
  send(index: number, scheduledAt: number): void;
}

/**
 * Open-loop driver: event i is due at start + i / rate, whatever happened to the ones before
 * (no coordinated omission). Late events go out at once, in order; latency is measured from
 * `scheduledAt(i)`, so a stall shows up in the percentiles instead of slowing the schedule.
 */
export class FixedRateSchedule {
  readonly endToEnd = new LatencyRecorder();
  private start = 0;
  private readonly received: Uint8Array;
  private arrivals = 0;
  private allArrived: (() => void) | undefined;

  constructor(private readonly options: FixedRateOptions) {
    this.received = new Uint8Array(options.count);
  }

  scheduledAt(index: number): number {
    return this.start + (index * 1000) / this.options.rate;
  }

  /** Sends every event on schedule; resolves after the last one was sent. */
  async send(): Promise<void> {
    const { count, rate, send } = this.options;
    this.start = performance.now();
    let next = 0;
    while (next < count) {
      const due = Math.min(count, Math.floor(((performance.now() - this.start) * rate) / 1000) + 1);
      while (next < due) {
        send(next, this.scheduledAt(next));
        next++;
      }
      if (next < count) {
        const wait = this.scheduledAt(next) - performance.now();
        // Timers fire in whole milliseconds; a shorter wait is served by the next turn.
        await sleep(wait >= 1 ? wait : 0);
      }
    }
  }

  /** A consumer in this process received event `index` (later copies are ignored). */
  arrived(index: number, at = performance.now()): void {
    if (index < 0 || index >= this.options.count || this.received[index] === 1) return;
    this.received[index] = 1;
    this.endToEnd.recordSince(this.scheduledAt(index), at);
    this.arrivals++;
    if (this.arrivals === this.options.count) this.allArrived?.();
  }

  /** Resolves once every event arrived; rejects after `timeoutMs` naming how many are missing. */
  whenAllArrived(timeoutMs: number): Promise<void> {
    if (this.arrivals === this.options.count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `only ${this.arrivals} of ${this.options.count} events reached the consumer within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      this.allArrived = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
