import { ConfigError, retryDelay } from '@broker/core';

export interface RetryOptions {
  /** Retries after the first failure before the message is dead-lettered. Default 3; 0 dead-letters at once. */
  maxRetries?: number;
  /** Delay before the first retry, in ms; doubles with every retry. Default 200. */
  initialDelayMs?: number;
  /** Upper bound of one delay, in ms. Default 10 000. */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, initialDelayMs: 200, maxDelayMs: 10_000 };

function check(name: keyof RetryOptions, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`retry.${name} must be a whole number >= 0, got ${String(value)}.`, {
      key: `retry.${name}`,
    });
  }
}

/** Validates retry options (false = no retries) and fills in the defaults. */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...given };
  for (const name of ['maxRetries', 'initialDelayMs', 'maxDelayMs'] as const) check(name, policy[name]);
  return policy;
}

/**
 * How long to wait before retry `retry` (1-based): core's exponential backoff with equal
 * jitter, so consumers failing on the same outage do not retry in step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random?: () => number): number {
  return retryDelay(retry - 1, {
    initialMs: policy.initialDelayMs,
    maxMs: policy.maxDelayMs,
    ...(random ? { random } : {}),
  });
}
