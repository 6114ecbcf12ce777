/**
 * Lets one report through per interval and counts what it held back, so that a failure
 * repeating on every publish is reported once per interval, with how often it happened.
 */
export class ReportThrottle {
  private held = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** Records `count` occurrences; returns how many to report now (this one included), or 0 to stay quiet. */
  take(count = 1, now = Date.now()): number {
    this.held += count;
    if (now - this.lastAt < this.intervalMs) return 0;
    const total = this.held;
    this.held = 0;
    this.lastAt = now;
    return total;
  }
}
