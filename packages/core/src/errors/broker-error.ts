import { censorText } from '../logging/censor';
import { BRAND } from './brand';
import { redactCause, redactDetails } from './redact';

/**
 * Every error this project throws is a BrokerError with a stable `code` and a `canRetry` hint.
 * `instanceof` breaks when a process loads both the ESM and the CJS build (or two copies of the
 * package), so errors carry a global symbol brand and classes offer `isInstance()`.
 *
 * Errors end up in logs, so nothing a BrokerError holds may carry a secret: URL credentials in
 * the message are hidden, and `cause` and `details` are cleaned copies (see `redactCause`).
 */
const KINDS = Symbol.for('@broker/core.BrokerError.kinds');

export const brokerErrorCodes = [
  'BROKER_CONFIG',
  'BROKER_ENV_VAR_MISSING',
  'BROKER_UNSUPPORTED_TYPE',
  'BROKER_MISSING_DEPENDENCY',
  'BROKER_INVALID_EVENT',
  'BROKER_CLOSED',
  'BROKER_CONNECTION',
  'BROKER_AUTHENTICATION',
  'BROKER_ACCESS_REFUSED',
  'BROKER_TLS',
  'BROKER_BUFFER_FULL',
  'BROKER_MESSAGE_TOO_LARGE',
  'BROKER_PUBLISH_FAILED',
  'BROKER_DELIVERY_FAILED',
  'BROKER_TIMEOUT',
  'BROKER_CONSUMER',
  'BROKER_SINK',
] as const;

export type BrokerErrorCode = (typeof brokerErrorCodes)[number];

export interface BrokerErrorOptions {
  /** The error behind this one; kept as a cleaned copy unless it is a BrokerError (see `redactCause`). */
  cause?: unknown;
  /** Whether trying the same operation again later can succeed. */
  canRetry?: boolean;
  /** Extra structured context; secret-looking fields are kept as `***`. */
  details?: Record<string, unknown>;
}

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  readonly canRetry: boolean;
  readonly details: Record<string, unknown> | undefined;
  declare readonly [BRAND]: true;
  declare readonly [KINDS]: readonly string[];

  constructor(code: BrokerErrorCode, message: string, options: BrokerErrorOptions = {}) {
    super(
      censorText(message),
      options.cause === undefined ? undefined : { cause: redactCause(options.cause) },
    );
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
    this.details = options.details && redactDetails(options.details);
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, KINDS, { value: kindsOf(new.target) });
  }

  /** True when `error` is this class (or a subclass), from any copy of @broker/core. */
  static isInstance<T extends BrokerError>(
    this: abstract new (
      ...args: never[]
    ) => T,
    error: unknown,
  ): error is T {
    if (typeof error !== 'object' || error === null) return false;
    const branded = error as { [BRAND]?: unknown; [KINDS]?: unknown };
    if (branded[BRAND] !== true) return false;
    if (this.name === 'BrokerError') return true;
    return Array.isArray(branded[KINDS]) && branded[KINDS].includes(this.name);
  }
}

function kindsOf(ctor: abstract new (...args: never[]) => unknown): string[] {
  const names: string[] = [];
  let current: unknown = ctor;
  while (typeof current === 'function' && current !== Error && current !== Object) {
    names.push((current as { name: string }).name);
    current = Object.getPrototypeOf(current);
  }
  return names;
}

/** True when `error` is a BrokerError, optionally with one of the given codes. */
export function isBrokerError(error: unknown, ...codes: BrokerErrorCode[]): error is BrokerError {
  return BrokerError.isInstance(error) && (codes.length === 0 || codes.includes(error.code));
}
