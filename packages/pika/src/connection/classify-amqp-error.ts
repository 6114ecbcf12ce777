import {
  AccessRefusedError,
  AuthenticationError,
  BrokerError,
  ConfigError,
  ConnectionError,
  TlsError,
} from '@broker/core';

/** What the failing operation was about, so the error can say what to fix. */
export interface ErrorContext {
  /** The endpoint as it may be shown (no password). */
  display: string;
  /** The setting a NOT_FOUND / PRECONDITION_FAILED points at, e.g. `event_broker.passive_queues`. */
  topologyKey?: string;
  /** The settings that hold the TLS files, for TLS errors. */
  tlsKeys?: string;
  /** The vhost and user of the connection, for errors about opening the vhost. */
  vhost?: string;
  username?: string;
}

/** An AMQP close (connection or channel): reply code and text, when the error carries one. */
export interface AmqpClose {
  code: number;
  text: string;
}

const SERVER_CERT_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/** Reads the reply code and text out of an amqplib error (handshake, connection or channel close). */
export function amqpCloseOf(error: unknown): AmqpClose | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  // "Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - ...""
  // "Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'q' ...""
  const closed = /(\d{3}) \([A-Z-]+\) with message "(.*)"/s.exec(error.message);
  if (closed) return { code: Number(closed[1]), text: closed[2]! };
  if (typeof code === 'number') return { code, text: error.message };
  return undefined;
}

/**
 * Maps an amqplib / socket / TLS error onto our typed errors. Wrong credentials, refused
 * access, bad certificates and topology mismatches cannot be fixed by retrying: they get
 * `canRetry: false` so callers stop instead of reconnecting forever. Everything else
 * (refused, reset, timed out, broker shutting down) is a retryable ConnectionError.
 */
export function classifyAmqpError(error: unknown, context: ErrorContext): BrokerError {
  if (BrokerError.isInstance(error)) return error;
  const where = context.display;
  const cause = { cause: error };
  const message = error instanceof Error ? error.message : String(error);
  const close = amqpCloseOf(error);
  if (close) return fromClose(close, context, error);
  if (/^Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    // The login was accepted and connection.open refused: RabbitMQ's 530 NOT_ALLOWED, whose text
    // amqplib drops here. It means the vhost does not exist or the user may not use it.
    const vhost = context.vhost === undefined ? 'the virtual host' : `the virtual host '${context.vhost}'`;
    const user = context.username === undefined ? 'the user' : `user '${context.username}'`;
    return new AccessRefusedError(
      `RabbitMQ at ${where} refused to open ${vhost} for ${user} (NOT_ALLOWED): the vhost does not exist, or the user ` +
        'has no permissions on it. Check the vhost in the URL (rabbitmqctl list_vhosts) and the permissions ' +
        '(rabbitmqctl list_user_permissions <user>).',
      { cause: error, details: { replyCode: 530 } },
    );
  }

  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const tls = fromTlsCode(code, message, context, error);
    if (tls) return tls;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new ConnectionError(
        `Cannot resolve the RabbitMQ host of ${where} (${code}); check the host name.`,
        cause,
      );
    }
    return new ConnectionError(`Cannot reach RabbitMQ at ${where}: ${message}`, cause);
  }
  if (/^connect ETIMEDOUT/.test(message)) {
    return new ConnectionError(
      `RabbitMQ at ${where} did not complete the connection handshake in time (${message}).`,
      cause,
    );
  }
  return new ConnectionError(
    `Lost or could not open the connection to RabbitMQ at ${where}: ${message}`,
    cause,
  );
}

function fromClose(close: AmqpClose, context: ErrorContext, error: unknown): BrokerError {
  const where = context.display;
  const options = { cause: error, details: { replyCode: close.code } };
  const text = close.text;
  switch (close.code) {
    case 403:
      if (/login was refused|authentication|ACCESS_REFUSED - Login/i.test(text)) {
        return new AuthenticationError(
          `RabbitMQ at ${where} refused the login (${text}); check the username and password.`,
          options,
        );
      }
      return new AccessRefusedError(
        `RabbitMQ at ${where} refused access (${text}); grant the user permissions on this resource (rabbitmqctl set_permissions) or use another user.`,
        options,
      );
    case 530: {
      const vhost = /vhost (.*) not found/i.exec(text);
      if (vhost) {
        return new AccessRefusedError(
          `The virtual host ${vhost[1]} does not exist on RabbitMQ at ${where} (${text}); create it (rabbitmqctl add_vhost) or fix the vhost in the URL.`,
          options,
        );
      }
      return new AccessRefusedError(
        `RabbitMQ at ${where} does not allow this (${text}); grant the user access to the vhost (rabbitmqctl set_permissions -p <vhost>).`,
        options,
      );
    }
    case 404:
      return new ConfigError(
        `RabbitMQ at ${where} says a queue or exchange does not exist (${text})${context.topologyKey ? `; check ${context.topologyKey}` : ''}.`,
        { ...options, key: context.topologyKey },
      );
    case 405:
    case 406:
      return new ConfigError(
        `RabbitMQ at ${where} refused the declaration (${text})${context.topologyKey ? `; check ${context.topologyKey}` : ''}. An existing exchange or queue with other flags or arguments cannot be redeclared: match them, or delete it first.`,
        { ...options, key: context.topologyKey },
      );
    default:
      // 320 CONNECTION_FORCED (broker shutdown, closed from the management UI), 541 INTERNAL_ERROR, frame errors.
      return new ConnectionError(
        `RabbitMQ at ${where} closed the connection: ${close.code} ${text}`,
        options,
      );
  }
}

function fromTlsCode(
  code: string,
  message: string,
  context: ErrorContext,
  error: unknown,
): TlsError | undefined {
  const where = context.display;
  const files = context.tlsKeys ? ` (${context.tlsKeys})` : '';
  const cause = { cause: error, details: { tlsCode: code } };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsError(
      `The TLS certificate of RabbitMQ at ${where} is not valid for that host name (${message}); connect with a name the certificate carries, or set ssl_servername to it.`,
      cause,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new TlsError(
      `The TLS certificate of RabbitMQ at ${where} is not valid now (${code}: ${message}).`,
      cause,
    );
  }
  if (SERVER_CERT_UNTRUSTED.has(code)) {
    return new TlsError(
      `The TLS certificate of RabbitMQ at ${where} is not signed by a trusted CA (${code}); set ssl_cafile to the CA that signed the broker's certificate${files}.`,
      cause,
    );
  }
  if (/CERTIFICATE_EXPIRED/.test(code)) {
    return new TlsError(
      `RabbitMQ at ${where} rejected our client certificate because it has expired (${code}); renew it${files}.`,
      cause,
    );
  }
  if (
    /UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|DECRYPT_ERROR/.test(
      code,
    )
  ) {
    return new TlsError(
      `RabbitMQ at ${where} rejected the TLS handshake (${code}); it requires a client certificate signed by a CA it trusts${files}.`,
      cause,
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new TlsError(
      `${where} does not answer TLS (${code}); is that the broker's amqps port (usually 5671), not its plain AMQP port?`,
      cause,
    );
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_OSSL_')) {
    return new TlsError(`TLS with RabbitMQ at ${where} failed (${code}: ${message}).`, cause);
  }
  return undefined;
}
