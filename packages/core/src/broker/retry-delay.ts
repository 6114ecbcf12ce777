export interface RetryDelayOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Longest delay, in ms. */
  maxMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * How long to wait before retry number `attempt` (0-based) of a reconnect or resend loop:
 * exponential growth capped at `maxMs`, with "equal jitter" (half fixed, half random), so
 * many clients cut off by the same broker restart do not come back in step, yet none retries
 * in a tight loop.
 */
export function retryDelay(attempt: number, options: RetryDelayOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
