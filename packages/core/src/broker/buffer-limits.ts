import { ConfigReader } from '../config/config-reader';

export type OverflowPolicy = 'reject' | 'drop-oldest';

export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['reject', 'drop-oldest'];

export interface BufferLimits {
  /** Most events pending (queued + in flight). Default 100 000, at most 100 000 000. */
  maxEvents?: number;
  /** Most UTF-8 bytes pending. Default 100 MiB, at least 1024. */
  maxBytes?: number;
  /** What a full buffer does with a new event: `reject` it (publish throws BufferOverflowError) or drop the oldest queued ones. Default `reject`. */
  overflow?: OverflowPolicy;
}

export const DEFAULT_BUFFER_LIMITS: Required<BufferLimits> = {
  maxEvents: 100_000,
  maxBytes: 100 * 1024 * 1024,
  overflow: 'reject',
};

/**
 * The limits every broker accepts, from endpoints.yml or code: adapters read their keys
 * (`buffer_max_events`, `queue_size`, ...) with these ranges, so a value out of range gets the
 * same ConfigError wording whichever broker it was given to.
 */
export const BUFFER_LIMIT_RANGE = {
  maxEvents: { min: 1, max: 100_000_000 },
  maxBytes: { min: 1024, max: Number.MAX_SAFE_INTEGER },
} as const;

/** Checks limits given in code (`buffer: { ... }`): a ConfigError names the field and the range. */
export function checkBufferLimits(limits: BufferLimits): BufferLimits {
  const reader = new ConfigReader({ ...limits }, { prefix: 'buffer' });
  const maxEvents = reader.integer('maxEvents', BUFFER_LIMIT_RANGE.maxEvents);
  const maxBytes = reader.integer('maxBytes', BUFFER_LIMIT_RANGE.maxBytes);
  const overflow = reader.choice('overflow', OVERFLOW_POLICIES);
  return {
    ...(maxEvents === undefined ? {} : { maxEvents }),
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(overflow === undefined ? {} : { overflow }),
  };
}
