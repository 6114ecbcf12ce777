import {
  AccessRefusedError,
  AuthenticationError,
  ConfigError,
  ConnectionError,
  type KeyStyle,
  namesIn,
  PublishError,
  TlsError,
} from '@broker/core';
import type { ClassifiedFailure } from '../client/kafka-client';
import { KAFKA_SETTINGS, type KafkaSettingName } from '../settings/kafka-settings';
import type { ConnectionSettings } from '../settings/read-connection-settings';

/** What the messages name: where we connect, how, and the keys the user wrote. */
export interface FailureContext {
  connection: Pick<ConnectionSettings, 'brokers' | 'securityProtocol' | 'sasl'>;
  topic?: string;
  groupId?: string;
  /** A setting's key as the user wrote it, e.g. `event_broker.ssl_cafile` or `sslCafile`. */
  keyName(name: KafkaSettingName): string;
}

/**
 * `FailureContext.keyName` for settings given as `given` in `style`: each setting is named the
 * way the user wrote it (its main key, or the alias they used, e.g. the Rasa documentation's
 * `ssl_check_hostname` in code), otherwise by its main key in that style; after `prefix` when
 * there is one (the endpoints.yml section, e.g. `event_broker`).
 */
export function keyNamesAsGiven(
  given: Readonly<Record<string, unknown>>,
  style: KeyStyle,
  prefix?: string,
): FailureContext['keyName'] {
  return (name) => {
    const names = namesIn(KAFKA_SETTINGS[name], style);
    // Given as ConfigReader sees it: present and not undefined.
    const used = names.find((candidate) => candidate in given && given[candidate] !== undefined) ?? names[0];
    return prefix ? `${prefix}.${used}` : `${used}`;
  };
}

interface ErrorLike {
  name?: string;
  message?: string;
  type?: string;
  code?: string | number;
  broker?: string;
  cause?: unknown;
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);
const EXPIRED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const AUTHORIZATION_FAILURES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);
const REFUSED_MESSAGES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** The error and its causes, outermost first (kafkajs wraps retried errors). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && out.length < 10) {
    out.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return out;
}

function describe(error: ErrorLike): string {
  return `${error.name ?? 'Error'}: ${error.message ?? String(error)}`;
}

/**
 * Maps a kafkajs failure onto our typed errors and says what to do about it: retry, give up
 * (credentials, permissions, TLS, configuration), reset the producer, or refuse the messages.
 */
export function classifyKafkajsError(error: unknown, context: FailureContext): ClassifiedFailure {
  const errors = chain(error);
  const brokers = context.connection.brokers.join(',');
  const root = errors.at(-1) ?? { message: String(error) };
  const where = root.broker ?? errors.find((e) => e.broker)?.broker ?? brokers;

  const sasl = errors.find((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (sasl) return { kind: 'fatal', error: saslFailure(sasl, where, context, error) };

  const tlsCode = errors.map((e) => e.code).find((code) => typeof code === 'string' && isTlsCode(code));
  if (typeof tlsCode === 'string')
    return { kind: 'fatal', error: tlsFailure(tlsCode, root, where, context, error) };

  // kafkajs retried the handshake before giving up: a listener that keeps cutting it off does not speak TLS.
  if (errors.some((e) => /before secure TLS connection was established/i.test(e.message ?? ''))) {
    return { kind: 'fatal', error: tlsFailure('ERR_TLS_HANDSHAKE_CUT', root, where, context, error) };
  }

  const type = errors.map((e) => e.type).find((t): t is string => typeof t === 'string');
  // Kafka answers the SASL handshake with these (kafkajs does not retry them, but they reached us
  // as plain protocol errors): retrying cannot help, the listener and the client disagree.
  if (type === 'UNSUPPORTED_SASL_MECHANISM' || type === 'ILLEGAL_SASL_STATE') {
    return { kind: 'fatal', error: saslHandshakeFailure(type, where, context, error) };
  }
  if (type && AUTHORIZATION_FAILURES.has(type)) {
    return { kind: 'fatal', error: authorizationFailure(type, context, error) };
  }
  if (type === 'INVALID_TOPIC_EXCEPTION') {
    return {
      kind: 'fatal',
      error: new ConfigError(
        `${context.keyName('topic')}: Kafka refuses the topic name ${JSON.stringify(context.topic)} (INVALID_TOPIC_EXCEPTION).`,
        { cause: error, key: context.keyName('topic') },
      ),
    };
  }
  if (type && PRODUCER_STATE_ERRORS.has(type)) {
    return {
      kind: 'reset',
      error: new PublishError(
        `Kafka lost track of this producer's sequence (${type}); starting a new producer session. ` +
          'Events of the batch being sent may be written twice.',
        { cause: error, canRetry: true },
      ),
    };
  }
  if (type && REFUSED_MESSAGES.has(type)) {
    return {
      kind: 'message',
      error: new PublishError(
        `Kafka refused the messages for topic ${context.topic} (${type}): ${root.message}. ` +
          `The topic's max.message.bytes may be lower than the broker's; lower ${context.keyName('maxMessageBytes')} to match.`,
        { cause: error },
      ),
    };
  }
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && context.topic) {
    return {
      kind: 'retry',
      error: new ConnectionError(
        `Topic ${context.topic} does not exist on ${brokers} and the broker does not create topics on first use ` +
          `(auto.create.topics.enable=false); create it, e.g. kafka-topics.sh --create --topic ${context.topic}. Retrying.`,
        { cause: error },
      ),
    };
  }
  if (type === 'NOT_ENOUGH_REPLICAS' || type === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND') {
    return {
      kind: 'retry',
      error: new ConnectionError(
        `Kafka has fewer in-sync replicas for ${context.topic} than min.insync.replicas requires (${type}); ` +
          'retrying until enough brokers are back.',
        { cause: error },
      ),
    };
  }
  return {
    kind: 'retry',
    error: new ConnectionError(`Kafka at ${brokers} is not reachable or not ready: ${describe(root)}`, {
      cause: error,
    }),
  };
}

function isTlsCode(code: string): boolean {
  return (
    UNTRUSTED_CERTIFICATE.has(code) ||
    EXPIRED_CERTIFICATE.has(code) ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code === 'EPROTO'
  );
}

/** The SASL mechanism asked for, as the broker saw it. */
function mechanismOf(context: FailureContext): string {
  return context.connection.sasl?.mechanism ?? 'SASL';
}

/**
 * Kafka's handshake answer lists the mechanisms the listener enables, but kafkajs (2.2) drops
 * the list from its error, so the message can only say where to look.
 */
function mechanismNotOffered(where: string, context: FailureContext, code: string): string {
  return (
    `Kafka broker ${where} does not offer SASL ${mechanismOf(context)} on this listener${code}. ` +
    `Check ${context.keyName('saslMechanism')} against the mechanisms the listener enables ` +
    `(listener.name.<listener>.sasl.enabled.mechanisms), and ${context.keyName('url')} and ` +
    `${context.keyName('securityProtocol')} against the listener you mean.`
  );
}

function saslHandshakeFailure(
  type: 'UNSUPPORTED_SASL_MECHANISM' | 'ILLEGAL_SASL_STATE',
  where: string,
  context: FailureContext,
  cause: unknown,
): AuthenticationError {
  if (type === 'UNSUPPORTED_SASL_MECHANISM') {
    return new AuthenticationError(
      mechanismNotOffered(where, context, ' (Kafka error UNSUPPORTED_SASL_MECHANISM)'),
      { cause },
    );
  }
  // Kafka's answer to a SASL handshake on a listener without SASL (PLAINTEXT or SSL).
  return new AuthenticationError(
    `Kafka broker ${where} refused the SASL ${mechanismOf(context)} handshake (Kafka error ILLEGAL_SASL_STATE): ` +
      `is ${where} a PLAINTEXT or SSL listener, without SASL? Check ${context.keyName('securityProtocol')} ` +
      `(${context.connection.securityProtocol}) and ${context.keyName('url')} against the broker's listeners.`,
    { cause },
  );
}

function saslFailure(
  sasl: ErrorLike,
  where: string,
  context: FailureContext,
  cause: unknown,
): AuthenticationError {
  const mechanism = mechanismOf(context);
  const message = sasl.message ?? '';
  if (/mechanism is not supported by the server/i.test(message)) {
    return new AuthenticationError(mechanismNotOffered(where, context, ''), { cause });
  }
  const sasl_ = context.connection.sasl;
  const who = sasl_ && sasl_.mechanism !== 'OAUTHBEARER' ? ` as user ${JSON.stringify(sasl_.username)}` : '';
  const fix =
    sasl_?.mechanism === 'OAUTHBEARER'
      ? 'Check the token your oauthBearerProvider returns (issuer, audience, expiry, signature).'
      : `Check ${context.keyName('saslUsername')} and ${context.keyName('saslPassword')}, and that the user exists for ${mechanism} on the broker.`;
  return new AuthenticationError(
    `Kafka broker ${where} rejected SASL ${mechanism} authentication${who}: ${message}. ${fix}`,
    { cause },
  );
}

function tlsFailure(
  code: string,
  root: ErrorLike,
  where: string,
  context: FailureContext,
  cause: unknown,
): TlsError {
  const detail = `${code}: ${root.message ?? ''}`.replace(/^Connection error: /, '');
  let advice: string;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    advice =
      `The broker's certificate does not name the host we connected to. Connect with a host name the certificate lists, ` +
      `or set ${context.keyName('sslCheckHostname')}: false to verify only that a trusted CA signed it.`;
  } else if (UNTRUSTED_CERTIFICATE.has(code)) {
    advice = `The broker's certificate is not signed by a CA we trust; set ${context.keyName('sslCafile')} to the PEM file of the CA that signed it.`;
  } else if (EXPIRED_CERTIFICATE.has(code)) {
    advice = "The broker's certificate is expired or not valid yet; renew it (or check the clocks).";
  } else if (/wrong.version.number|packet.length.too.long|http.request|HANDSHAKE_CUT/i.test(detail)) {
    advice = `The broker did not answer with TLS: is ${where} a PLAINTEXT or SASL_PLAINTEXT listener? Check ${context.keyName('securityProtocol')}.`;
  } else if (
    /certificate.required|bad.certificate|unknown.ca|handshake.failure|certificate.unknown/i.test(detail)
  ) {
    advice =
      `The broker refused our side of the handshake: it probably requires a client certificate signed by a CA it trusts ` +
      `(${context.keyName('sslCertfile')} and ${context.keyName('sslKeyfile')}).`;
  } else {
    advice = `Check ${context.keyName('securityProtocol')} and the certificate files.`;
  }
  return new TlsError(`TLS connection to Kafka broker ${where} failed (${detail}). ${advice}`, { cause });
}

function authorizationFailure(type: string, context: FailureContext, cause: unknown): AccessRefusedError {
  const principal =
    context.connection.sasl && context.connection.sasl.mechanism !== 'OAUTHBEARER'
      ? `User ${JSON.stringify(context.connection.sasl.username)}`
      : 'This client';
  const what: Record<string, string> = {
    TOPIC_AUTHORIZATION_FAILED: `may not use topic ${context.topic ?? '(unknown)'}: grant it Write (producer) or Read (consumer) and Describe on the topic`,
    CLUSTER_AUTHORIZATION_FAILED: `may not perform a cluster operation: an idempotent producer needs IdempotentWrite on the cluster (or set ${context.keyName('idempotent')}: false)`,
    GROUP_AUTHORIZATION_FAILED: `may not use consumer group ${context.groupId ?? '(unknown)'}: grant it Read on the group`,
    TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'may not use its transactional id',
  };
  return new AccessRefusedError(
    `${principal} ${what[type] ?? `was refused (${type})`} (Kafka error ${type}).`,
    {
      cause,
    },
  );
}
