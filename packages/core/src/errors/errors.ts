import { BrokerError, type BrokerErrorOptions } from './broker-error';

export interface ConfigErrorOptions extends BrokerErrorOptions {
  file?: string | undefined;
  key?: string | undefined;
  code?: 'BROKER_CONFIG' | 'BROKER_ENV_VAR_MISSING' | 'BROKER_UNSUPPORTED_TYPE';
}

/** A configuration value (from code or endpoints.yml) is missing, of the wrong type or invalid. */
export class ConfigError extends BrokerError {
  /** The endpoints file, when the value came from one. */
  readonly file: string | undefined;
  /** Dotted key path, e.g. `event_broker.port`. */
  readonly key: string | undefined;

  constructor(message: string, options: ConfigErrorOptions = {}) {
    super(options.code ?? 'BROKER_CONFIG', message, options);
    this.file = options.file;
    this.key = options.key;
  }
}

/** `${VAR}` in endpoints.yml names an environment variable that is not set. */
export class EnvVarMissingError extends ConfigError {
  readonly variables: readonly string[];

  constructor(message: string, variables: readonly string[], options: { file?: string; key?: string } = {}) {
    super(message, { ...options, code: 'BROKER_ENV_VAR_MISSING' });
    this.variables = variables;
  }
}

/** The endpoints `type` names no broker we know and no loadable module. */
export class UnsupportedBrokerTypeError extends ConfigError {
  readonly type: string;

  constructor(type: string, message: string, options: BrokerErrorOptions & { file?: string } = {}) {
    super(message, { ...options, key: 'event_broker.type', code: 'BROKER_UNSUPPORTED_TYPE' });
    this.type = type;
  }
}

/** An optional package (an adapter, a database driver) is needed but not installed. */
export class MissingDependencyError extends BrokerError {
  readonly packageName: string;

  constructor(packageName: string, message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_MISSING_DEPENDENCY', message, options);
    this.packageName = packageName;
  }
}

/** A body or event is not a valid Rasa event message; `path` names the offending field. */
export class EventValidationError extends BrokerError {
  readonly path: string;

  constructor(path: string, message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_INVALID_EVENT', message, options);
    this.path = path;
  }
}

/** The broker was closed (or failed permanently) and accepts nothing more. */
export class BrokerClosedError extends BrokerError {
  constructor(
    message = 'The event broker is closed; create a new one to publish again.',
    options: BrokerErrorOptions = {},
  ) {
    super('BROKER_CLOSED', message, options);
  }
}

/** The broker cannot be reached (refused, reset, DNS, timeout). Usually worth retrying. */
export class ConnectionError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_CONNECTION', message, { canRetry: true, ...options });
  }
}

/** The broker rejected the credentials. Retrying with the same credentials cannot help. */
export class AuthenticationError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_AUTHENTICATION', message, { ...options, canRetry: false });
  }
}

/** Authenticated, but not allowed (vhost, exchange, queue or topic permissions). */
export class AccessRefusedError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_ACCESS_REFUSED', message, { ...options, canRetry: false });
  }
}

/** The TLS handshake failed: unknown CA, expired or wrong-host certificate, unreadable files. */
export class TlsError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_TLS', message, { ...options, canRetry: false });
  }
}

/** The bounded publish buffer is full and the overflow policy is `reject`. */
export class BufferOverflowError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_BUFFER_FULL', message, { canRetry: true, ...options });
  }
}

/** One event is larger than the broker accepts; it is rejected before it reaches the broker. */
export class MessageTooLargeError extends BrokerError {
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number, message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_MESSAGE_TOO_LARGE', message, { ...options, canRetry: false });
    this.size = size;
    this.limit = limit;
  }
}

/** The broker refused one message (nack, unroutable return, produce error). */
export class PublishError extends BrokerError {
  constructor(message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_PUBLISH_FAILED', message, options);
  }
}

/** Some events accepted before a `flush()` or `close()` were dropped or failed for good. */
export class DeliveryFailedError extends BrokerError {
  readonly failed: number;
  readonly dropped: number;

  constructor(failed: number, dropped: number, options: BrokerErrorOptions = {}) {
    super(
      'BROKER_DELIVERY_FAILED',
      `${failed + dropped} accepted event(s) were not delivered (${failed} failed, ${dropped} dropped by the buffer overflow policy).`,
      options,
    );
    this.failed = failed;
    this.dropped = dropped;
  }
}

/** An operation did not finish in time; `pending` says how much was still outstanding. */
export class TimeoutError extends BrokerError {
  readonly pending: number;

  constructor(message: string, pending: number, options: BrokerErrorOptions = {}) {
    super('BROKER_TIMEOUT', message, { canRetry: true, ...options });
    this.pending = pending;
  }
}
