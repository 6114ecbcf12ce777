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
import { classifyKafkajsError, type FailureContext } from '../src/kafkajs/classify-kafkajs-error';
import { settingKey } from '../src/settings/setting-keys';

const context: FailureContext = {
  connection: {
    brokers: ['localhost:9093'],
    securityProtocol: 'SASL_PLAINTEXT',
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'rasa', password: 'hunter2' },
  },
  topic: 'rasa_core_events',
  groupId: 'analytics',
  keyName: (name) => `event_broker.${settingKey(name, 'yaml').key}`,
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
