import {
  AccessRefusedError,
  AuthenticationError,
  ConfigError,
  ConnectionError,
  PublishError,
  TlsError,
} from '@broker/core';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { ConsumerClient } from '../src/client/kafka-client';
import {
  CONSUMER_CLIENT_FACTORY,
  KafkaMessageSource,
  type KafkaMessageSourceOptions,
} from '../src/kafka-message-source';
import {
  classifyKafkajsError,
  type FailureContext,
  keyNamesAsGiven,
} from '../src/kafkajs/classify-kafkajs-error';
import { KAFKA_SETTINGS } from '../src/settings/kafka-settings';

const context: FailureContext = {
  connection: {
    brokers: ['localhost:9093'],
    securityProtocol: 'SASL_PLAINTEXT',
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'rasa', password: 'hunter2' },
  },
  topic: 'rasa_core_events',
  groupId: 'analytics',
  keyName: (name) => `event_broker.${KAFKA_SETTINGS[name].yaml}`,
};

/** kafkajs errors as its retrier hands them over: the cause wrapped once or twice. */
function afterRetries(cause: Error): Error {
  return new (KafkaJSNumberOfRetriesExceeded as unknown as Loose)(cause, { retryCount: 3, retryTime: 800 });
}

function protocolError(type: string, retriable = false): KafkaJSProtocolError {
  return new KafkaJSProtocolError({
    message: `broker said ${type}`,
    type,
    code: 1,
    retriable,
  } as unknown as Error);
}

/** kafkajs's constructors take more than its type declarations admit (the runtime shapes are what we classify). */
type Loose = new (e: Error | string, options?: Record<string, unknown>) => Error;
const SaslError = KafkaJSSASLAuthenticationError as unknown as Loose;
const NonRetriable = KafkaJSNonRetriableError as unknown as Loose;

function tlsError(code: string, message: string): Error {
  return new KafkaJSConnectionError(`Connection error: ${message}`, { broker: 'localhost:9094', code });
}

describe('classifyKafkajsError', () => {
  it('makes rejected SASL credentials a fatal AuthenticationError naming user and keys, never the password', () => {
    const sasl = new SaslError('SASL SCRAM SHA512 authentication failed: Authentication failed');
    const { kind, error } = classifyKafkajsError(new NonRetriable(sasl, { cause: sasl }), context);
    expect(kind).toBe('fatal');
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.canRetry).toBe(false);
    expect(error.message).toContain('rejected SASL SCRAM-SHA-512 authentication as user "rasa"');
    expect(error.message).toContain('event_broker.sasl_username and event_broker.sasl_password');
    expect(error.message).not.toContain('hunter2');
  });

  it('says which mechanism the listener does not offer', () => {
    const sasl = new SaslError('SASL SCRAM-SHA-512 mechanism is not supported by the server');
    const { error } = classifyKafkajsError(sasl, context);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.message).toContain('does not offer SASL SCRAM-SHA-512');
  });

  it('makes a mechanism the listener does not offer (UNSUPPORTED_SASL_MECHANISM) a fatal AuthenticationError, not a retried ConnectionError', () => {
    // What kafkajs throws when Kafka answers the SASL handshake with error 33 (it keeps no list of the offered mechanisms).
    const oauth: FailureContext = {
      ...context,
      connection: {
        ...context.connection,
        sasl: { mechanism: 'OAUTHBEARER', provider: async () => ({ value: 'token' }) },
      },
    };
    for (const thrown of [
      protocolError('UNSUPPORTED_SASL_MECHANISM'),
      afterRetries(protocolError('UNSUPPORTED_SASL_MECHANISM')),
    ]) {
      const { kind, error } = classifyKafkajsError(thrown, oauth);
      expect(kind).toBe('fatal');
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expect(ConnectionError.isInstance(error)).toBe(false);
      expect(error.canRetry).toBe(false);
      expect(error.message).toContain(
        'Kafka broker localhost:9093 does not offer SASL OAUTHBEARER on this listener (Kafka error UNSUPPORTED_SASL_MECHANISM)',
      );
      expect(error.message).toContain('event_broker.sasl_mechanism');
      expect(error.message).toContain('sasl.enabled.mechanisms');
    }
  });

  it('makes a SASL handshake on a listener without SASL (ILLEGAL_SASL_STATE) a fatal AuthenticationError naming security_protocol', () => {
    const { kind, error } = classifyKafkajsError(protocolError('ILLEGAL_SASL_STATE'), context);
    expect(kind).toBe('fatal');
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.canRetry).toBe(false);
    expect(error.message).toContain(
      'refused the SASL SCRAM-SHA-512 handshake (Kafka error ILLEGAL_SASL_STATE)',
    );
    expect(error.message).toContain('PLAINTEXT or SSL listener');
    expect(error.message).toContain('event_broker.security_protocol (SASL_PLAINTEXT)');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames",
      'event_broker.ssl_check_hostname: false',
    ],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'event_broker.ssl_cafile'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'event_broker.ssl_cafile'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'expired'],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'tlsv13 alert certificate required',
      'event_broker.ssl_certfile',
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'PLAINTEXT or SASL_PLAINTEXT listener'],
  ])('makes TLS failure %s a fatal TlsError with the fix', (code, message, advice) => {
    const { kind, error } = classifyKafkajsError(afterRetries(tlsError(code, message)), context);
    expect(kind).toBe('fatal');
    expect(TlsError.isInstance(error)).toBe(true);
    expect(error.message).toContain('localhost:9094');
    expect(error.message).toContain(code);
    expect(error.message).toContain(advice);
  });

  it('makes authorisation failures fatal AccessRefusedErrors', () => {
    for (const type of [
      'TOPIC_AUTHORIZATION_FAILED',
      'CLUSTER_AUTHORIZATION_FAILED',
      'GROUP_AUTHORIZATION_FAILED',
    ]) {
      const refused = protocolError(type);
      const { kind, error } = classifyKafkajsError(new NonRetriable(refused, { cause: refused }), context);
      expect(kind).toBe('fatal');
      expect(AccessRefusedError.isInstance(error)).toBe(true);
      expect(error.message).toContain(type);
      expect(error.message).toContain('User "rasa"');
    }
    const topic = classifyKafkajsError(protocolError('TOPIC_AUTHORIZATION_FAILED'), context).error;
    expect(topic.message).toContain('may not use topic rasa_core_events');
    const group = classifyKafkajsError(protocolError('GROUP_AUTHORIZATION_FAILED'), context).error;
    expect(group.message).toContain('consumer group analytics');
  });

  it('tells producer-state errors (reset), refused messages and bad topics apart', () => {
    expect(classifyKafkajsError(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'), context).kind).toBe('reset');
    expect(classifyKafkajsError(protocolError('UNKNOWN_PRODUCER_ID'), context).kind).toBe('reset');
    const tooLarge = classifyKafkajsError(protocolError('MESSAGE_TOO_LARGE'), context);
    expect(tooLarge.kind).toBe('message');
    expect(PublishError.isInstance(tooLarge.error)).toBe(true);
    const invalidTopic = classifyKafkajsError(protocolError('INVALID_TOPIC_EXCEPTION'), context);
    expect(invalidTopic.kind).toBe('fatal');
    expect(ConfigError.isInstance(invalidTopic.error)).toBe(true);
  });

  it('retries connection loss, timeouts, leader changes and missing topics, with a clear message', () => {
    const refused = tlsError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9093');
    const down = classifyKafkajsError(afterRetries(refused), context);
    expect(down.kind).toBe('retry');
    expect(ConnectionError.isInstance(down.error)).toBe(true);
    expect(down.error.canRetry).toBe(true);
    expect(down.error.message).toContain('ECONNREFUSED');
    expect(classifyKafkajsError(protocolError('NOT_LEADER_OR_FOLLOWER', true), context).kind).toBe('retry');
    const missing = classifyKafkajsError(protocolError('UNKNOWN_TOPIC_OR_PARTITION', true), context);
    expect(missing.kind).toBe('retry');
    expect(missing.error.message).toContain('kafka-topics.sh --create --topic rasa_core_events');
    expect(classifyKafkajsError(protocolError('NOT_ENOUGH_REPLICAS', true), context).error.message).toContain(
      'min.insync.replicas',
    );
  });
});

describe('failure advice names each setting as the user wrote it', () => {
  const altname = () =>
    afterRetries(
      tlsError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
    );
  const advice = (keyName: FailureContext['keyName']) =>
    classifyKafkajsError(altname(), { ...context, keyName }).error.message;

  it('in code: the Python spelling when it was used, the camelCase option otherwise', () => {
    const seed = advice(keyNamesAsGiven({ ssl_check_hostname: true, ssl_cafile: 'ca.pem' }, 'code'));
    expect(seed).toContain('set ssl_check_hostname: false');
    expect(seed).not.toContain('sslCheckHostname');
    expect(advice(keyNamesAsGiven({ sslCheckHostname: true }, 'code'))).toContain(
      'set sslCheckHostname: false',
    );
    // Not given at all (the default): the main option name.
    expect(advice(keyNamesAsGiven({ ssl_cafile: 'ca.pem' }, 'code'))).toContain(
      'set sslCheckHostname: false',
    );
    // An alias given as undefined is not given (as ConfigReader reads it).
    expect(advice(keyNamesAsGiven({ ssl_check_hostname: undefined }, 'code'))).toContain('sslCheckHostname');
  });

  it('in endpoints.yml: the YAML key (or its alias) after the section', () => {
    expect(advice(keyNamesAsGiven({ ssl_check_hostname: true }, 'yaml', 'event_broker'))).toContain(
      'set event_broker.ssl_check_hostname: false',
    );
    expect(advice(keyNamesAsGiven({}, 'yaml', 'event_broker'))).toContain(
      'set event_broker.ssl_check_hostname: false',
    );
    const names = keyNamesAsGiven({ host: 'k:9092', sasl_plain_username: 'rasa' }, 'yaml', 'event_broker');
    expect([names('url'), names('saslUsername'), names('saslPassword')]).toEqual([
      'event_broker.host',
      'event_broker.sasl_plain_username',
      'event_broker.sasl_password',
    ]);
  });

  it('auth advice uses the aliases given in code (sasl_plain_username, security_protocol, host)', () => {
    const keyName = keyNamesAsGiven(
      {
        host: 'localhost:9093',
        security_protocol: 'SASL_PLAINTEXT',
        sasl_mechanism: 'SCRAM-SHA-512',
        sasl_plain_username: 'rasa',
        sasl_plain_password: 'hunter2',
      },
      'code',
    );
    const sasl = new SaslError('SASL SCRAM SHA512 authentication failed: Authentication failed');
    expect(classifyKafkajsError(sasl, { ...context, keyName }).error.message).toContain(
      'Check sasl_plain_username and sasl_plain_password',
    );
    const handshake = classifyKafkajsError(protocolError('ILLEGAL_SASL_STATE'), { ...context, keyName });
    expect(handshake.error.message).toContain('Check security_protocol (SASL_PLAINTEXT) and host');
    const unsupported = classifyKafkajsError(protocolError('UNSUPPORTED_SASL_MECHANISM'), {
      ...context,
      keyName,
    });
    expect(unsupported.error.message).toContain('Check sasl_mechanism against');
  });

  it('KafkaMessageSource built with the Python spellings says ssl_check_hostname, not sslCheckHostname', async () => {
    const crashing = (): ConsumerClient => ({
      async start(handlers) {
        setTimeout(() => handlers.onCrash(altname()), 10);
      },
      pause: () => undefined,
      commit: async () => undefined,
      stop: async () => undefined,
    });
    const source = new KafkaMessageSource({
      host: 'localhost:9094',
      topic: 'events',
      security_protocol: 'SSL',
      ssl_check_hostname: true,
      [CONSUMER_CLIENT_FACTORY]: crashing,
    } as KafkaMessageSourceOptions);
    const error = await source
      .consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal })
      .catch((caught: unknown) => caught);
    expect(TlsError.isInstance(error)).toBe(true);
    expect((error as TlsError).message).toContain('set ssl_check_hostname: false');
    expect((error as TlsError).message).not.toContain('sslCheckHostname');
  });
});
