import { inspect } from 'node:util';
import {
  AuthenticationError,
  type BrokerError,
  ConnectionError,
  TlsError,
  toEndpointConfig,
  userUttered,
} from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker, type KafkaEventBrokerOptions } from '../../src/index';
import { classifyKafkajsError, keyNamesAsGiven } from '../../src/kafkajs/classify-kafkajs-error';
import { captureLogger } from '../capture-logger';
import {
  createTopic,
  deleteTopics,
  kafkaSingle,
  readTopic,
  services,
  testClient,
  uniqueTopic,
  unsecuredJwt,
} from './kafka-services';

/** Failures must be reported as what they are, quickly, not after a retry storm. */
const FAST_MS = 10_000;

type Single = Awaited<ReturnType<typeof kafkaSingle>>;
let kafka: Single;
const topics: string[] = [];

beforeAll(async () => {
  kafka = await kafkaSingle();
});

afterAll(async () => {
  if (kafka) await deleteTopics([kafka.plaintext], topics);
});

async function topicFor(label: string): Promise<string> {
  const topic = uniqueTopic(label);
  topics.push(topic);
  await createTopic([kafka.plaintext], topic);
  return topic;
}

/** Publishes one event through a broker with these options and reads it back over PLAINTEXT. */
async function roundTrip(label: string, options: KafkaEventBrokerOptions): Promise<void> {
  const topic = await topicFor(label);
  const broker = await KafkaEventBroker.create({
    ...options,
    topic,
    startup: 'wait',
    startupTimeoutMs: 20_000,
  });
  expect(broker.isReady()).toBe(true);
  const body = {
    sender_id: `sender-${label}`,
    ...userUttered(`hello over ${label}`, { timestamp: 1716801234.5 }),
  };
  broker.publish(body);
  await broker.flush(20_000);
  const report = await broker.close();
  expect(report.undelivered).toEqual([]);
  const [record] = await readTopic([kafka.plaintext], topic, 1);
  expect(JSON.parse(record!.value)).toMatchObject({
    sender_id: `sender-${label}`,
    text: `hello over ${label}`,
  });
}

/** Starts a broker that must fail: resolves with the typed error, and how long it took. */
async function failure(
  options: KafkaEventBrokerOptions,
): Promise<{ error: BrokerError; ms: number; logs: string }> {
  const logger = captureLogger();
  const started = performance.now();
  const error = await KafkaEventBroker.create({
    ...options,
    topic: uniqueTopic('refused'),
    logger,
    startup: 'wait',
    startupTimeoutMs: 30_000,
  }).then(
    (broker) => {
      void broker.close();
      throw new Error('the broker connected, but it should have been refused');
    },
    (caught: BrokerError) => caught,
  );
  return { error, ms: performance.now() - started, logs: logger.text() };
}

describe('every security protocol and SASL mechanism connects and round-trips', () => {
  it('PLAINTEXT', () => roundTrip('plaintext', { url: kafka.plaintext, securityProtocol: 'PLAINTEXT' }));

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('SASL_PLAINTEXT with %s', (mechanism) => {
    const user =
      mechanism === 'PLAIN'
        ? kafka.users.plain
        : mechanism === 'SCRAM-SHA-256'
          ? kafka.users.scramSha256
          : kafka.users.scramSha512;
    return roundTrip(`sasl-${mechanism}`.toLowerCase(), {
      url: kafka.saslPlaintext,
      securityProtocol: 'SASL_PLAINTEXT',
      saslMechanism: mechanism,
      saslUsername: user.username,
      saslPassword: user.password,
    });
  });

  it('SASL_PLAINTEXT with OAUTHBEARER from a token provider', () => {
    let calls = 0;
    return roundTrip('oauthbearer', {
      url: kafka.saslPlaintext,
      securityProtocol: 'SASL_PLAINTEXT',
      saslMechanism: 'OAUTHBEARER',
      oauthBearerProvider: async () => {
        calls++;
        return { value: unsecuredJwt(kafka.users.plain.username) };
      },
    }).then(() => expect(calls).toBeGreaterThan(0));
  });

  it('SSL with a client certificate, hostname checked', () => {
    const tls = services().tls;
    return roundTrip('ssl', {
      url: kafka.ssl,
      securityProtocol: 'SSL',
      sslCafile: tls.ca,
      sslCertfile: tls.clientCert,
      sslKeyfile: tls.clientKey,
      sslCheckHostname: true,
    });
  });

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('SASL_SSL with %s', (mechanism) => {
    const user =
      mechanism === 'PLAIN'
        ? kafka.users.plain
        : mechanism === 'SCRAM-SHA-256'
          ? kafka.users.scramSha256
          : kafka.users.scramSha512;
    return roundTrip(`sasl-ssl-${mechanism}`.toLowerCase(), {
      url: kafka.saslSsl,
      securityProtocol: 'SASL_SSL',
      saslMechanism: mechanism,
      sasl_plain_username: user.username,
      sasl_plain_password: user.password,
      sslCafile: services().tls.ca,
    });
  });

  it('SASL_SSL with OAUTHBEARER from a token provider (the README example)', () => {
    let calls = 0;
    return roundTrip('sasl-ssl-oauthbearer', {
      url: kafka.saslSsl,
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'OAUTHBEARER',
      sslCafile: services().tls.ca,
      oauthBearerProvider: async () => {
        calls++;
        return { value: unsecuredJwt(kafka.users.plain.username) };
      },
    }).then(() => expect(calls).toBeGreaterThan(0));
  });

  it('ssl_check_hostname false still verifies the CA, but accepts a host the certificate does not name', () => {
    const tls = services().tls;
    return roundTrip('ssl-by-ip', {
      url: kafka.ssl.replace('localhost', '127.0.0.1'),
      securityProtocol: 'SSL',
      sslCafile: tls.ca,
      sslCertfile: tls.clientCert,
      sslKeyfile: tls.clientKey,
      sslCheckHostname: false,
    });
  });

  it('the same over SASL_SSL (Python spellings): ssl_check_hostname false accepts 127.0.0.1', () =>
    roundTrip('sasl-ssl-by-ip', {
      host: kafka.saslSsl.replace('localhost', '127.0.0.1'),
      security_protocol: 'SASL_SSL',
      sasl_mechanism: 'SCRAM-SHA-256',
      sasl_plain_username: kafka.users.scramSha256.username,
      sasl_plain_password: kafka.users.scramSha256.password,
      ssl_cafile: services().tls.ca,
      ssl_check_hostname: false,
    }));
});

describe('a flat section given straight to fromEndpointConfig', () => {
  it('connects over SSL with its certificates and publishes to its topic', async () => {
    const tls = services().tls;
    const topic = await topicFor('flat-ssl');
    const broker = await KafkaEventBroker.fromEndpointConfig({
      type: 'kafka',
      url: kafka.ssl,
      topic,
      security_protocol: 'SSL',
      ssl_cafile: tls.ca,
      ssl_certfile: tls.clientCert,
      ssl_keyfile: tls.clientKey,
      startup: 'wait',
      startup_timeout_ms: 20_000,
    });
    broker.publish({ sender_id: 'flat-ssl', ...userUttered('hello over a flat section', { timestamp: 1 }) });
    await broker.flush(20_000);
    expect((await broker.close()).undelivered).toEqual([]);
    const [record] = await readTopic([kafka.plaintext], topic, 1);
    expect(JSON.parse(record!.value)).toMatchObject({
      sender_id: 'flat-ssl',
      text: 'hello over a flat section',
    });
  });
});

describe('refused connections fail fast with typed, clear errors', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)(
    'wrong password with %s: AuthenticationError',
    async (mechanism) => {
      const { error, ms, logs } = await failure({
        url: kafka.saslPlaintext,
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: mechanism,
        saslUsername: kafka.users.plain.username,
        saslPassword: 'not-the-password',
      });
      expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
      expect(error.canRetry).toBe(false);
      expect(error.message).toContain(
        `rejected SASL ${mechanism} authentication as user "${kafka.users.plain.username}"`,
      );
      expect(error.message).toContain('saslPassword');
      expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }) + logs).not.toContain(
        'not-the-password',
      );
      expect(ms).toBeLessThan(FAST_MS);
    },
  );

  it('wrong password over SASL_SSL: AuthenticationError', async () => {
    const { error, ms } = await failure({
      url: kafka.saslSsl,
      securityProtocol: 'SASL_SSL',
      saslUsername: kafka.users.plain.username,
      saslPassword: 'wrong',
      sslCafile: services().tls.ca,
    });
    expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('an expired OAUTHBEARER token: AuthenticationError pointing at the token provider', async () => {
    const { error, ms } = await failure({
      url: kafka.saslPlaintext,
      saslMechanism: 'OAUTHBEARER',
      oauthBearerProvider: async () => ({ value: unsecuredJwt('broker', -60) }),
    });
    expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('oauthBearerProvider');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it.each(['OAUTHBEARER', 'SCRAM-SHA-256'] as const)(
    '%s on a listener that offers no SASL (PLAINTEXT): AuthenticationError at once, not retried',
    async (mechanism) => {
      const { error, ms, logs } = await failure({
        url: kafka.plaintext,
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: mechanism,
        ...(mechanism === 'OAUTHBEARER'
          ? { oauthBearerProvider: async () => ({ value: unsecuredJwt(kafka.users.plain.username) }) }
          : {
              saslUsername: kafka.users.scramSha256.username,
              saslPassword: kafka.users.scramSha256.password,
            }),
      });
      expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
      expect(error.canRetry).toBe(false);
      expect(error.message).toContain(
        `refused the SASL ${mechanism} handshake (Kafka error ILLEGAL_SASL_STATE)`,
      );
      expect(error.message).toContain('Check securityProtocol (SASL_PLAINTEXT) and url');
      // One attempt, no backoff loop: the broker logs every retry ("retrying in N ms").
      expect(logs).not.toContain('retrying in');
      expect(logs).not.toContain(kafka.users.scramSha256.password);
      expect(ms).toBeLessThan(FAST_MS);
    },
  );

  it("a mechanism the listener does not enable: Kafka's UNSUPPORTED_SASL_MECHANISM (33), as kafkajs reports it, is a fatal AuthenticationError", async () => {
    // Both SASL listeners enable all four mechanisms we support, so ask with one Kafka does not
    // enable at all: kafkajs's own AWS_MSK_IAM ("AWS"), through a raw kafkajs client.
    const producer = testClient([kafka.saslPlaintext], {
      retry: { retries: 3, initialRetryTime: 100 },
      sasl: {
        mechanism: 'aws',
        authorizationIdentity: 'nobody',
        accessKeyId: 'key',
        secretAccessKey: 'secret',
      },
    }).producer();
    const started = performance.now();
    const thrown = await producer.connect().then(
      () => new Error('the listener accepted AWS, which the test expects it not to offer'),
      (caught: unknown) => caught,
    );
    await producer.disconnect().catch(() => undefined);
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    expect(thrown).toMatchObject({ type: 'UNSUPPORTED_SASL_MECHANISM', code: 33 });
    const { kind, error } = classifyKafkajsError(thrown, {
      connection: {
        brokers: [kafka.saslPlaintext],
        securityProtocol: 'SASL_PLAINTEXT',
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'nobody', password: 'secret' },
      },
      keyName: keyNamesAsGiven({ sasl_mechanism: 'SCRAM-SHA-256' }, 'yaml', 'event_broker'),
    });
    expect(kind).toBe('fatal');
    expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
    expect(ConnectionError.isInstance(error)).toBe(false);
    expect(error.canRetry).toBe(false);
    expect(error.message).toContain(
      `Kafka broker ${kafka.saslPlaintext} does not offer SASL SCRAM-SHA-256 on this listener (Kafka error UNSUPPORTED_SASL_MECHANISM)`,
    );
    expect(error.message).toContain('Check event_broker.sasl_mechanism against');
  });

  it('wrong CA: TlsError saying to set sslCafile', async () => {
    const tls = services().tls;
    const { error, ms } = await failure({
      url: kafka.saslSsl,
      securityProtocol: 'SASL_SSL',
      saslUsername: kafka.users.plain.username,
      saslPassword: kafka.users.plain.password,
      sslCafile: tls.otherCa,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('not signed by a CA we trust');
    expect(error.message).toContain('sslCafile');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('wrong host name (127.0.0.1 is not in the certificate) with hostname checking on: TlsError', async () => {
    const tls = services().tls;
    const { error, ms } = await failure({
      url: kafka.ssl.replace('localhost', '127.0.0.1'),
      securityProtocol: 'SSL',
      sslCafile: tls.ca,
      sslCertfile: tls.clientCert,
      sslKeyfile: tls.clientKey,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('sslCheckHostname: false');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('wrong host name over SASL_SSL with hostname checking on: TlsError, before any SASL exchange', async () => {
    const { error, ms, logs } = await failure({
      url: kafka.saslSsl.replace('localhost', '127.0.0.1'),
      securityProtocol: 'SASL_SSL',
      saslUsername: kafka.users.plain.username,
      saslPassword: kafka.users.plain.password,
      sslCafile: services().tls.ca,
      sslCheckHostname: true,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('sslCheckHostname: false');
    expect(error.message + logs).not.toContain(kafka.users.plain.password);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('wrong host name with the Python spellings: the advice says ssl_check_hostname, as written', async () => {
    const tls = services().tls;
    const { error, ms } = await failure({
      host: kafka.ssl.replace('localhost', '127.0.0.1'),
      security_protocol: 'SSL',
      ssl_cafile: tls.ca,
      ssl_certfile: tls.clientCert,
      ssl_keyfile: tls.clientKey,
      ssl_check_hostname: true,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('set ssl_check_hostname: false');
    expect(error.message).not.toContain('sslCheckHostname');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('wrong host name from endpoints.yml: the advice names the YAML key of the section', async () => {
    const tls = services().tls;
    const started = performance.now();
    const config = toEndpointConfig(
      {
        type: 'kafka',
        url: kafka.ssl.replace('localhost', '127.0.0.1'),
        topic: uniqueTopic('refused-yaml'),
        security_protocol: 'SSL',
        ssl_cafile: tls.ca,
        ssl_certfile: tls.clientCert,
        ssl_keyfile: tls.clientKey,
        startup: 'wait',
        startup_timeout_ms: 30_000,
      },
      'event_broker',
      'endpoints.yml',
    );
    const error = await KafkaEventBroker.fromEndpointConfig(config).then(
      (broker) => {
        void broker.close();
        throw new Error('the broker connected, but it should have been refused');
      },
      (caught: BrokerError) => caught,
    );
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('set event_broker.ssl_check_hostname: false');
    expect(error.message).not.toContain('sslCheckHostname');
    expect(performance.now() - started).toBeLessThan(FAST_MS);
  });

  it('no client certificate where the broker requires one: TlsError naming the certificate options', async () => {
    const { error, ms } = await failure({
      url: kafka.ssl,
      securityProtocol: 'SSL',
      sslCafile: services().tls.ca,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('sslCertfile');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('a client certificate from a CA the broker does not trust: TlsError', async () => {
    const tls = services().tls;
    const { error, ms } = await failure({
      url: kafka.ssl,
      securityProtocol: 'SSL',
      sslCafile: tls.ca,
      sslCertfile: tls.otherCaClientCert,
      sslKeyfile: tls.otherCaClientKey,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('TLS against a PLAINTEXT listener: TlsError saying the port does not speak TLS', async () => {
    const { error, ms } = await failure({
      url: kafka.plaintext,
      securityProtocol: 'SSL',
      sslCafile: services().tls.ca,
    });
    expect(TlsError.isInstance(error), String(error)).toBe(true);
    expect(error.message).toContain('did not answer with TLS');
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('after an authentication failure the broker is failed: pending events are reported, publish throws', async () => {
    const broker = new KafkaEventBroker({
      url: kafka.saslPlaintext,
      topic: uniqueTopic('failed'),
      saslUsername: kafka.users.plain.username,
      saslPassword: 'wrong',
    });
    const undelivered: string[] = [];
    broker.on('undelivered', (events) => undelivered.push(...events.map((e) => e.senderId)));
    broker.on('error', () => undefined);
    broker.publish({ sender_id: 'lost', ...userUttered('hi', { timestamp: 1 }) });
    const failed = new Promise((resolve) =>
      broker.on('state', (state) => state === 'failed' && resolve(state)),
    );
    await failed;
    expect(undelivered).toEqual(['lost']);
    expect(broker.stats()).toMatchObject({ failed: 1, pending: 0 });
    expect(() => broker.publish({ sender_id: 'late', ...userUttered('hi', { timestamp: 1 }) })).toThrow(
      /stopped after a non-retryable error/,
    );
    await broker.close();
  });
});
