import type { Logger } from '@broker/core';
import { abortableDelay } from './abortable-delay';

/** The longest delay setTimeout() honours (longer ones fire after 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

export interface OutageOptions {
  /** The delay before probe `n` (1-based): capped exponential backoff with jitter. */
  probeDelay: (probe: number) => number;
  /** How long an outage may last before `onTooLong`; `Infinity` waits for ever. */
  maxOutageMs: number;
  /** Called once when an outage outlasts `maxOutageMs`. */
  onTooLong: (what: string, elapsedMs: number) => void;
  logger: Logger;
  /** Told when an outage starts (`paused`, with the first failure) and ends (`running`). */
  onStateChange?: (state: 'paused' | 'running', what: string, error?: unknown) => void;
}

/** What a delivery may do next: work, work as the probe, or leave (the consumer is stopping). */
export type OutageTurn = 'go' | 'probe' | 'leave';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * An outage of what the handler or the sink needs (a database, a service). While it lasts no
 * delivery starts work except one probe, which tries its own event again after a capped
 * exponential backoff with jitter; each failed probe is logged at warn with the time so far.
 * The probe's answer ends the outage and the waiting deliveries go on. Deliveries that wait
 * hold their messages unacknowledged, so the source's in-flight window keeps the broker from
 * delivering more.
 */
export class Outage {
  private startedAt: number | undefined;
  private frozenAt: number | undefined;
  private pastMs = 0;
  private count = 0;
  private probes = 0;
  private nextDelayMs = 0;
  private probing = false;
  private what = '';
  private waiters = new Set<() => void>();
  private deadline: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutageOptions) {}

  /** An outage is going on: new work waits. */
  get active(): boolean {
    return this.startedAt !== undefined;
  }

  /** Outages so far. */
  get outages(): number {
    return this.count;
  }

  /** Time paused so far, the current outage included, in ms. */
  get totalMs(): number {
    return Math.round(this.pastMs + this.currentMs());
  }

  /**
   * Resolves with what a delivery may do: `go` without an outage; `probe` when it is this
   * delivery's turn to try (after the backoff delay); `leave` when `signal` aborted during an
   * outage.
   */
  async turn(signal: AbortSignal): Promise<OutageTurn> {
    for (;;) {
      if (this.startedAt === undefined) return 'go';
      if (signal.aborted) return 'leave';
      if (!this.probing) {
        this.probing = true;
        await abortableDelay(this.nextDelayMs, signal);
        if (this.startedAt !== undefined && !signal.aborted) return 'probe';
        this.releaseProbe();
        continue;
      }
      await this.waitForChange(signal);
    }
  }

  /**
   * An attempt failed for lack of infrastructure. The first failure starts an outage; a failed
   * probe gives its turn back (the same delivery normally takes it again) and is logged.
   */
  failed(error: unknown, context: { what: string; probe: boolean; position: string }): void {
    const { logger } = this.options;
    if (this.startedAt === undefined) {
      this.startedAt = performance.now();
      this.count++;
      this.probes = 0;
      this.what = context.what;
      this.nextDelayMs = this.options.probeDelay(++this.probes);
      logger.warn(
        { err: error, position: context.position, retryInMs: this.nextDelayMs },
        `${context.what} is unavailable (${describe(error)}); pausing: no new events are handled until it answers, the unacknowledged ones stay with the broker; retrying in ${this.nextDelayMs} ms`,
      );
      this.armDeadline();
      this.options.onStateChange?.('paused', context.what, error);
      return;
    }
    if (!context.probe) return;
    this.probing = false;
    this.nextDelayMs = this.options.probeDelay(++this.probes);
    logger.warn(
      {
        err: error,
        position: context.position,
        outageMs: Math.round(this.currentMs()),
        attempt: this.probes,
        retryInMs: this.nextDelayMs,
      },
      `${context.what} still unavailable after ${seconds(this.currentMs())} (attempt ${this.probes}): ${describe(error)}; retrying in ${this.nextDelayMs} ms`,
    );
  }

  /** The probe got an answer (success, or a failure about its event): the outage is over. */
  recovered(): void {
    if (this.startedAt === undefined) return;
    const lasted = this.currentMs();
    this.pastMs += lasted;
    this.startedAt = undefined;
    this.probing = false;
    clearTimeout(this.deadline);
    this.options.logger.info(
      { outageMs: Math.round(lasted), attempts: this.probes },
      `${this.what} answers again after ${seconds(lasted)}; resuming`,
    );
    this.options.onStateChange?.('running', this.what);
    this.wake();
  }

  /** The probe leaves without an answer (the consumer is stopping): another delivery may probe. */
  releaseProbe(): void {
    this.probing = false;
    this.wake();
  }

  /** The consumer stopped: no deadline any more, and the time paused stops counting. */
  dispose(): void {
    clearTimeout(this.deadline);
    this.frozenAt ??= performance.now();
  }

  private currentMs(): number {
    if (this.startedAt === undefined) return 0;
    return (this.frozenAt ?? performance.now()) - this.startedAt;
  }

  private armDeadline(): void {
    const left = this.options.maxOutageMs - this.currentMs();
    if (left === Number.POSITIVE_INFINITY) return;
    if (left <= 0) {
      this.options.onTooLong(this.what, this.currentMs());
      return;
    }
    this.deadline = setTimeout(() => this.armDeadline(), Math.min(Math.ceil(left), MAX_TIMER_MS));
  }

  private waitForChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
