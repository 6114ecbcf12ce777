import { BrokerError, type BrokerErrorCode } from '@broker/core';

/**
 * What a handler or sink failure is about:
 * - `message`: this event cannot be handled (invalid, refused by the database, a bug the
 *   handler hits on it). Retried, then dead-lettered.
 * - `infrastructure`: something the event needs is unavailable (database or service
 *   unreachable, connection lost, credentials rejected). Consuming pauses until it answers;
 *   never a reason to dead-letter the event.
 */
export type FailureKind = 'message' | 'infrastructure';

/** Errors about the setup rather than the event, even when retrying at once cannot help. */
const INFRASTRUCTURE_CODES: ReadonlySet<BrokerErrorCode> = new Set<BrokerErrorCode>([
  'BROKER_CONNECTION',
  'BROKER_TIMEOUT',
  'BROKER_AUTHENTICATION',
  'BROKER_ACCESS_REFUSED',
  'BROKER_TLS',
  'BROKER_CONFIG',
  'BROKER_ENV_VAR_MISSING',
  'BROKER_UNSUPPORTED_TYPE',
  'BROKER_MISSING_DEPENDENCY',
  'BROKER_CLOSED',
  'BROKER_BUFFER_FULL',
]);

/**
 * Classifies a failure thrown by a handler or a sink. Infrastructure: any error with
 * `canRetry: true` (a `BrokerError` or any other object, e.g. core's `ConnectionError` and
 * `TimeoutError`, a `SinkError` the database connection failed with), and the `BrokerError`s
 * about connections, credentials, TLS, configuration, a missing package or a closed client.
 * Everything else is about the message: a plain `Error`, a `BrokerError` with `canRetry: false`
 * such as an `EventValidationError` or a `SinkError` for a row the database refuses.
 */
export function failureKind(error: unknown): FailureKind {
  if (typeof error !== 'object' || error === null) return 'message';
  if ((error as { canRetry?: unknown }).canRetry === true) return 'infrastructure';
  if (BrokerError.isInstance(error) && INFRASTRUCTURE_CODES.has(error.code)) return 'infrastructure';
  return 'message';
}
