import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, toEndpointConfig } from '@broker/core';
import { type GeneratedTlsFiles, generateTlsFiles, KEY_PASSWORD } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KafkaEventBroker,
  type KafkaEventBrokerOptions,
  KafkaMessageSource,
  type KafkaMessageSourceOptions,
} from '../src/index';
import { readBrokerEndpoint, readBrokerOptions } from '../src/settings/read-broker-settings';
import { captureLogger } from './capture-logger';

const FILE = '/etc/rasa/endpoints.yml';

function fromYaml(mapping: Record<string, unknown>, deps: Parameters<typeof readBrokerEndpoint>[1] = {}) {
  return readBrokerEndpoint(toEndpointConfig({ type: 'kafka', ...mapping }, 'event_broker', FILE), deps);
}

/** The ConfigError a call throws; fails the test when it throws nothing or something else. */
function configError(call: () => unknown): ConfigError {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(ConfigError.isInstance(caught), `expected a ConfigError, got ${String(caught)}`).toBe(true);
  return caught as ConfigError;
}

function yamlError(mapping: Record<string, unknown>, key: string): ConfigError {
  const error = configError(() => fromYaml(mapping));
  expect(error.key).toBe(`event_broker.${key}`);
  expect(error.file).toBe(FILE);
  expect(error.message).toContain(`event_broker.${key} (in ${FILE})`);
  return error;
}

let tls: GeneratedTlsFiles;
beforeAll(() => {
  tls = generateTlsFiles('broker-kafka-tls-');
  // The Rasa documentation's file names, for its examples copied as they are (relative to the working directory).
  copyFileSync(tls.ca, join(tls.dir, 'CARoot.pem'));
  copyFileSync(tls.cert, join(tls.dir, 'certificate.pem'));
  copyFileSync(tls.key, join(tls.dir, 'key.pem'));
});

/** Runs `call` with the working directory set to `dir` (relative certificate paths resolve there). */
function inDirectory<T>(dir: string, call: () => T): T {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return call();
  } finally {
    process.chdir(previous);
  }
}
afterAll(() => tls?.remove());

describe('endpoints.yml settings', () => {
  it('applies the defaults Rasa users expect', () => {
    const { connection, producer, rasaEnvironment } = fromYaml({ url: 'localhost' });
    expect(connection).toMatchObject({
      brokers: ['localhost:9092'],
      clientId: 'rasa-broker-kafka',
      securityProtocol: 'PLAINTEXT',
      sasl: undefined,
      tls: undefined,
    });
    expect(producer).toMatchObject({
      topic: 'rasa_core_events',
      partitionBySender: false,
      partitioner: 'crc32',
      acks: -1,
      idempotent: true,
      lingerMs: 5,
      batchMaxEvents: 1000,
      maxMessageBytes: 1_000_000,
      buffer: { maxEvents: 100_000, overflow: 'reject' },
      startup: 'buffer',
    });
    expect(rasaEnvironment).toBe(process.env.RASA_ENVIRONMENT ?? 'RASA_ENVIRONMENT_NOT_SET');
  });

  it('reads url as a string, a comma list or a YAML list of host:port', () => {
    expect(fromYaml({ url: 'k1:9093, k2' }).connection.brokers).toEqual(['k1:9093', 'k2:9092']);
    expect(fromYaml({ url: ['k1:19092', 'k2:19093'] }).connection.brokers).toEqual(['k1:19092', 'k2:19093']);
    expect(fromYaml({ url: 'PLAINTEXT://k1:9092' }).connection.brokers).toEqual(['k1:9092']);
    expect(fromYaml({ url: '[::1]:9095' }).connection.brokers).toEqual(['[::1]:9095']);
    expect(fromYaml({ host: 'k9:1234' }).connection.brokers).toEqual(['k9:1234']);
  });

  it.each([
    [{}, 'is required'],
    [{ url: '' }, 'names no broker'],
    [{ url: [] }, 'names no broker'],
    [{ url: 'k1:0' }, 'port from 1 to 65535'],
    [{ url: 'k1:99999' }, 'port from 1 to 65535'],
    [{ url: 'k1:port' }, 'not a broker address'],
    [{ url: [9092] }, 'expected host:port strings'],
  ])('rejects url %j', (mapping, message) => {
    expect(yamlError(mapping, 'url').message).toContain(message);
  });

  it('never prints credentials someone put in url', () => {
    const error = yamlError({ url: 'kafka://user:hunter2@k1:bad' }, 'url');
    expect(error.message).not.toContain('hunter2');
  });

  it('reads every security protocol case-insensitively and rejects others as Rasa does', () => {
    expect(fromYaml({ url: 'k', security_protocol: 'plaintext' }).connection.securityProtocol).toBe(
      'PLAINTEXT',
    );
    expect(
      fromYaml({ url: 'k', security_protocol: 'Sasl_Plaintext', sasl_username: 'u', sasl_password: 'p' })
        .connection.securityProtocol,
    ).toBe('SASL_PLAINTEXT');
    const error = yamlError({ url: 'k', security_protocol: 'SOMETHING' }, 'security_protocol');
    expect(error.message).toContain('PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL');
  });

  it("defaults to SASL_PLAINTEXT (Rasa's default) when SASL settings are given, else PLAINTEXT", () => {
    const sasl = fromYaml({ url: 'k', sasl_username: 'u', sasl_password: 'p' }).connection;
    expect(sasl.securityProtocol).toBe('SASL_PLAINTEXT');
    expect(sasl.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: 'p' });
    expect(fromYaml({ url: 'k' }).connection.securityProtocol).toBe('PLAINTEXT');
  });

  it('reads SASL mechanisms case-insensitively, with the Python spellings of the credentials', () => {
    const scram = fromYaml({
      url: 'k',
      security_protocol: 'SASL_PLAINTEXT',
      sasl_mechanism: 'scram-sha-512',
      sasl_plain_username: 'u',
      sasl_plain_password: 'p',
    }).connection.sasl;
    expect(scram).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    const provider = async () => ({ value: 't' });
    const oauth = fromYaml(
      { url: 'k', security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'OAuthBearer' },
      { oauthBearerProvider: provider },
    ).connection.sasl;
    expect(oauth).toEqual({ mechanism: 'OAUTHBEARER', provider });
  });

  it('rejects unknown and unsupported SASL mechanisms, and OAUTHBEARER without a provider', () => {
    const base = { url: 'k', security_protocol: 'SASL_PLAINTEXT', sasl_username: 'u', sasl_password: 'p' };
    expect(yamlError({ ...base, sasl_mechanism: 'SOMETHING' }, 'sasl_mechanism').message).toContain(
      'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER',
    );
    expect(yamlError({ ...base, sasl_mechanism: 'gssapi' }, 'sasl_mechanism').message).toContain('Kerberos');
    expect(yamlError({ ...base, sasl_mechanism: 'OAUTHBEARER' }, 'sasl_mechanism').message).toContain(
      'oauthBearerProvider',
    );
  });

  it('requires the user name and password for PLAIN and SCRAM, without printing the password', () => {
    const base = { url: 'k', security_protocol: 'SASL_PLAINTEXT' };
    expect(yamlError({ ...base, sasl_password: 'hunter2' }, 'sasl_username').message).not.toContain(
      'hunter2',
    );
    expect(yamlError({ ...base, sasl_username: 'u' }, 'sasl_password').message).toContain('is required');
  });

  it('reads the TLS files and checks them before connecting', () => {
    const { connection } = fromYaml({
      url: 'k',
      security_protocol: 'SSL',
      ssl_cafile: tls.ca,
      ssl_certfile: tls.cert,
      ssl_keyfile: tls.key,
    });
    expect(connection.tls).toMatchObject({ checkHostname: true });
    expect(connection.tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(connection.tls?.key).toContain('PRIVATE KEY');
    expect(
      fromYaml({ url: 'k', security_protocol: 'SSL', ssl_cafile: tls.ca, ssl_check_hostname: 'False' })
        .connection.tls?.checkHostname,
    ).toBe(false);
  });

  it('names the key and the file for missing, unreadable, non-PEM and mismatched TLS files', () => {
    const ssl = { url: 'k', security_protocol: 'SSL' };
    const missing = yamlError({ ...ssl, ssl_cafile: 'CARoot.pem' }, 'ssl_cafile');
    expect(missing.message).toContain(`${process.cwd()}/CARoot.pem (no such file)`);
    expect(yamlError({ ...ssl, ssl_cafile: tls.notPem }, 'ssl_cafile').message).toContain(
      'does not contain a certificate in PEM format',
    );
    expect(yamlError({ ...ssl, ssl_certfile: tls.cert }, 'ssl_keyfile').message).toContain(
      'event_broker.ssl_certfile is set',
    );
    expect(
      yamlError({ ...ssl, ssl_certfile: tls.cert, ssl_keyfile: tls.otherKey }, 'ssl_keyfile').message,
    ).toContain('cannot be used with the certificate');
    expect(
      yamlError({ ...ssl, ssl_certfile: tls.cert, ssl_keyfile: tls.cert }, 'ssl_keyfile').message,
    ).toContain('does not contain a private key');
    expect(
      yamlError({ ...ssl, ssl_cafile: tls.ca, ssl_check_hostname: 'maybe' }, 'ssl_check_hostname').message,
    ).toContain('expected true or false');
  });

  it('reads an encrypted key with ssl_key_password, and says so when the password is missing or wrong', () => {
    const ssl = { url: 'k', security_protocol: 'SSL', ssl_certfile: tls.cert, ssl_keyfile: tls.encryptedKey };
    expect(fromYaml({ ...ssl, ssl_key_password: KEY_PASSWORD }).connection.tls?.passphrase).toBe(
      KEY_PASSWORD,
    );
    for (const password of [undefined, 'wrong']) {
      const error = yamlError({ ...ssl, ssl_key_password: password }, 'ssl_keyfile');
      expect(error.message).toContain('set event_broker.ssl_key_password if the key is encrypted');
      expect(error.message).not.toContain(KEY_PASSWORD);
    }
  });

  it('warns about settings the chosen protocol ignores, unknown keys, and Rasa keys without effect', () => {
    const logger = captureLogger();
    fromYaml(
      {
        url: 'k',
        security_protocol: 'PLAINTEXT',
        sasl_username: 'u',
        ssl_cafile: 'x.pem',
        lingr_ms: 5,
        loglevel: 'DEBUG',
      },
      { logger },
    );
    const text = logger.text();
    expect(text).toContain(
      'event_broker.sasl_username ignored: security_protocol PLAINTEXT does not authenticate with SASL',
    );
    expect(text).toContain('event_broker.ssl_cafile ignored: security_protocol PLAINTEXT does not use TLS');
    expect(text).toContain('unknown setting(s) event_broker.lingr_ms');
    expect(text).toContain('event_broker.loglevel has no effect');
    expect(text).not.toContain('unknown setting(s) event_broker.loglevel');
  });

  it('coerces numbers written as strings (what ${VAR} substitution yields) and checks ranges', () => {
    const { producer } = fromYaml({ url: 'k', queue_size: '10', linger_ms: '0', batch_max_events: '50' });
    expect(producer).toMatchObject({ lingerMs: 0, batchMaxEvents: 50, buffer: { maxEvents: 10 } });
    for (const [key, value] of [
      ['linger_ms', '-1'],
      ['linger_ms', 'soon'],
      ['queue_size', 0],
      ['batch_max_events', 0],
      ['batch_max_bytes', 1.5],
      ['max_message_bytes', 'big'],
      ['buffer_max_bytes', 10],
      ['startup_timeout_ms', 0],
      ['close_timeout_ms', -5],
      ['connection_timeout_ms', 1],
      ['request_timeout_ms', 'never'],
      ['retry_backoff_ms', 0],
    ] as const) {
      yamlError({ url: 'k', [key]: value }, key);
    }
    expect(
      yamlError({ url: 'k', retry_backoff_ms: 500, retry_backoff_max_ms: 100 }, 'retry_backoff_max_ms')
        .message,
    ).toContain('must be at least event_broker.retry_backoff_ms (500)');
    // The buffer caps every broker shares (pika's buffer_max_events gets the same words).
    expect(yamlError({ url: 'k', queue_size: 1e20 }, 'queue_size').message).toMatch(
      /: expected a number between 1 and 100000000, got 100000000000000000000\.$/,
    );
  });

  it('reads acks and idempotence, which must agree', () => {
    expect(fromYaml({ url: 'k', acks: 'all' }).producer.acks).toBe(-1);
    expect(fromYaml({ url: 'k', acks: '1', idempotent: false }).producer).toMatchObject({
      acks: 1,
      idempotent: false,
    });
    expect(fromYaml({ url: 'k', acks: 0, idempotent: 'false' }).producer.acks).toBe(0);
    expect(yamlError({ url: 'k', acks: 1 }, 'acks').message).toContain('idempotent delivery needs acks: all');
    yamlError({ url: 'k', acks: 'two' }, 'acks');
    yamlError({ url: 'k', idempotent: 'yes' }, 'idempotent');
  });

  it('reads the topic, partitioning, buffer and startup choices', () => {
    const { producer } = fromYaml({
      url: 'k',
      topic: 'bot.events-v1',
      partition_by_sender: 'True',
      partitioner: 'MURMUR2',
      buffer_overflow: 'drop-oldest',
      startup: 'wait',
      startup_timeout_ms: '2500',
    });
    expect(producer).toMatchObject({
      topic: 'bot.events-v1',
      partitionBySender: true,
      partitioner: 'murmur2',
      buffer: { overflow: 'drop-oldest' },
      startup: 'wait',
      startupTimeoutMs: 2500,
    });
    expect(yamlError({ url: 'k', topic: 'bad topic!' }, 'topic').message).toContain(
      'not a legal Kafka topic name',
    );
    yamlError({ url: 'k', topic: 'x'.repeat(250) }, 'topic');
    yamlError({ url: 'k', topic: '..' }, 'topic');
    yamlError({ url: 'k', partition_by_sender: 'sometimes' }, 'partition_by_sender');
    yamlError({ url: 'k', partitioner: 'fnv' }, 'partitioner');
    yamlError({ url: 'k', buffer_overflow: 'drop' }, 'buffer_overflow');
    yamlError({ url: 'k', startup: 'later' }, 'startup');
    yamlError({ url: 'k', client_id: '' }, 'client_id');
    yamlError({ url: 'k', client_log_level: 'loud' }, 'client_log_level');
  });
});

describe('options in code', () => {
  function codeError(options: KafkaEventBrokerOptions, key: string): ConfigError {
    const error = configError(() => new KafkaEventBroker(options));
    expect(error.key).toBe(`KafkaEventBroker options.${key}`);
    return error;
  }

  it("take the Rasa documentation's SASL_PLAINTEXT producer call as it is written", () => {
    // KafkaProducer(host='kafka_broker:9092', sasl_plain_username='kafka_username',
    //               sasl_plain_password='kafka_password', security_protocol='SASL_PLAINTEXT',
    //               topic='rasa_core_events')
    const logger = captureLogger();
    const { connection, producer } = readBrokerOptions({
      host: 'kafka_broker:9092',
      sasl_plain_username: 'kafka_username',
      sasl_plain_password: 'kafka_password',
      security_protocol: 'SASL_PLAINTEXT',
      topic: 'rasa_core_events',
      logger,
    });
    expect(connection).toMatchObject({
      brokers: ['kafka_broker:9092'],
      securityProtocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'kafka_username', password: 'kafka_password' },
    });
    expect(producer.topic).toBe('rasa_core_events');
    expect(logger.text()).toBe('');
  });

  it("take the Rasa documentation's SSL producer call as it is written", () => {
    // KafkaProducer(host='kafka_broker:9092', ssl_cafile='CARoot.pem', ssl_certfile='certificate.pem',
    //               ssl_keyfile='key.pem', ssl_check_hostname=True, security_protocol='SSL',
    //               topic='rasa_core_events')
    const logger = captureLogger();
    const kafka_broker = inDirectory(
      tls.dir,
      () =>
        new KafkaEventBroker({
          host: 'kafka_broker:9092',
          ssl_cafile: 'CARoot.pem',
          ssl_certfile: 'certificate.pem',
          ssl_keyfile: 'key.pem',
          ssl_check_hostname: true,
          security_protocol: 'SSL',
          topic: 'rasa_core_events',
          logger,
        }),
    );
    expect(kafka_broker.topic).toBe('rasa_core_events');
    expect(logger.text()).toBe('');
    // The same call through the settings reader, to see what it read.
    const seedCall = {
      host: 'kafka_broker:9092',
      ssl_cafile: 'CARoot.pem',
      ssl_certfile: 'certificate.pem',
      ssl_keyfile: 'key.pem',
      ssl_check_hostname: false,
      security_protocol: 'SSL',
      topic: 'rasa_core_events',
    } satisfies KafkaEventBrokerOptions;
    const { connection } = inDirectory(tls.dir, () => readBrokerOptions(seedCall));
    expect(connection).toMatchObject({
      brokers: ['kafka_broker:9092'],
      securityProtocol: 'SSL',
      sasl: undefined,
      tls: { checkHostname: false },
    });
    expect(connection.tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(connection.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(connection.tls?.key).toContain('PRIVATE KEY');
    return kafka_broker.close();
  });

  it('read each Python spelling exactly as its camelCase option', () => {
    const sasl = { url: 'k', saslUsername: 'u', saslPassword: 'p' } as const;
    const ssl = { url: 'k', securityProtocol: 'SSL', sslCafile: tls.ca } as const;
    const cases: [KafkaEventBrokerOptions, KafkaEventBrokerOptions][] = [
      [{ host: ['k1:1', 'k2'] }, { url: ['k1:1', 'k2'] }],
      [
        { url: 'k', client_id: 'my-bot' },
        { url: 'k', clientId: 'my-bot' },
      ],
      [
        { ...sasl, security_protocol: 'sasl_ssl', sslCafile: tls.ca },
        { ...sasl, securityProtocol: 'sasl_ssl', sslCafile: tls.ca },
      ],
      [
        { ...sasl, sasl_mechanism: 'scram-sha-256' },
        { ...sasl, saslMechanism: 'scram-sha-256' },
      ],
      [
        { url: 'k', sasl_plain_username: 'u', sasl_plain_password: 'p' },
        { url: 'k', saslUsername: 'u', saslPassword: 'p' },
      ],
      [
        { url: 'k', securityProtocol: 'SSL', ssl_cafile: tls.ca },
        { url: 'k', securityProtocol: 'SSL', sslCafile: tls.ca },
      ],
      [
        { ...ssl, ssl_certfile: tls.cert, ssl_keyfile: tls.key },
        { ...ssl, sslCertfile: tls.cert, sslKeyfile: tls.key },
      ],
      [
        { ...ssl, ssl_check_hostname: false },
        { ...ssl, sslCheckHostname: false },
      ],
    ];
    for (const [seed, camel] of cases) {
      const logger = captureLogger();
      expect(readBrokerOptions({ ...seed, logger })).toEqual(readBrokerOptions(camel));
      expect(logger.text(), JSON.stringify(seed)).toBe('');
    }
    expect(readBrokerOptions({ url: 'k', client_id: 'my-bot' }).connection.clientId).toBe('my-bot');
    expect(readBrokerOptions({ ...ssl, ssl_check_hostname: false }).connection.tls?.checkHostname).toBe(
      false,
    );
  });

  it('check the Python spellings as the camelCase options, naming the spelling given', () => {
    const sasl = { url: 'k', saslUsername: 'u', saslPassword: 'p' };
    expect(codeError({ url: 'k', security_protocol: 'TLS' as never }, 'security_protocol').message).toContain(
      'must be one of PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL; got "TLS"',
    );
    expect(codeError({ ...sasl, sasl_mechanism: 'SOMETHING' as never }, 'sasl_mechanism').message).toContain(
      'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER',
    );
    expect(codeError({ ...sasl, sasl_mechanism: 'gssapi' as never }, 'sasl_mechanism').message).toContain(
      'Kerberos',
    );
    expect(
      codeError({ url: 'k', security_protocol: 'SASL_SSL', sasl_mechanism: 'OAUTHBEARER' }, 'sasl_mechanism')
        .message,
    ).toContain('oauthBearerProvider');
    expect(codeError({ url: 'k', client_id: '' }, 'client_id').message).toContain('must not be empty');
    const ssl = { url: 'k', security_protocol: 'SSL' } as const;
    expect(codeError({ ...ssl, ssl_cafile: '/nowhere/ca.pem' }, 'ssl_cafile').message).toContain(
      '/nowhere/ca.pem (no such file)',
    );
    expect(codeError({ ...ssl, ssl_cafile: tls.notPem }, 'ssl_cafile').message).toContain(
      'does not contain a certificate in PEM format',
    );
    expect(codeError({ ...ssl, ssl_certfile: tls.cert }, 'sslKeyfile').message).toContain(
      'is required when KafkaEventBroker options.ssl_certfile is set',
    );
    expect(
      codeError({ ...ssl, ssl_certfile: tls.cert, ssl_keyfile: tls.otherKey }, 'ssl_keyfile').message,
    ).toContain('cannot be used with the certificate');
    expect(
      codeError({ ...ssl, ssl_cafile: tls.ca, ssl_check_hostname: 'maybe' as never }, 'ssl_check_hostname')
        .message,
    ).toContain('expected true or false, got');
    expect(
      codeError(
        { url: 'k', security_protocol: 'SASL_PLAINTEXT', sasl_plain_password: 'hunter2' },
        'saslUsername',
      ).message,
    ).not.toContain('hunter2');
  });

  it('refuse one setting given under both spellings, naming both', () => {
    const cases: [KafkaEventBrokerOptions, string, string][] = [
      [{ url: 'k', host: 'k' }, 'url', 'host'],
      [{ url: 'k', clientId: 'a', client_id: 'a' }, 'clientId', 'client_id'],
      [
        { url: 'k', securityProtocol: 'SSL', security_protocol: 'SSL' },
        'securityProtocol',
        'security_protocol',
      ],
      [{ url: 'k', saslMechanism: 'PLAIN', sasl_mechanism: 'PLAIN' }, 'saslMechanism', 'sasl_mechanism'],
      [
        { url: 'k', saslUsername: 'u', sasl_plain_username: 'v', saslPassword: 'p' },
        'saslUsername',
        'sasl_plain_username',
      ],
      [
        { url: 'k', saslUsername: 'u', saslPassword: 'p', sasl_plain_password: 'q' },
        'saslPassword',
        'sasl_plain_password',
      ],
      [{ url: 'k', sslCafile: tls.ca, ssl_cafile: tls.ca }, 'sslCafile', 'ssl_cafile'],
      [{ url: 'k', sslCertfile: tls.cert, ssl_certfile: tls.cert }, 'sslCertfile', 'ssl_certfile'],
      [{ url: 'k', sslKeyfile: tls.key, ssl_keyfile: tls.key }, 'sslKeyfile', 'ssl_keyfile'],
      [
        { url: 'k', sslCheckHostname: false, ssl_check_hostname: false },
        'sslCheckHostname',
        'ssl_check_hostname',
      ],
    ];
    for (const [options, camel, seed] of cases) {
      const error = codeError(options, camel);
      expect(error.message).toBe(
        `KafkaEventBroker options.${camel}: is also given as KafkaEventBroker options.${seed}, ` +
          'another spelling of the same setting; give only one.',
      );
    }
    // endpoints.yml too: host is the Rasa documentation's name for url, sasl_plain_* for sasl_*.
    expect(yamlError({ url: 'k', host: 'k' }, 'url').message).toContain('is also given as event_broker.host');
    expect(
      yamlError(
        { url: 'k', sasl_username: 'u', sasl_plain_username: 'u', sasl_password: 'p' },
        'sasl_username',
      ).message,
    ).toContain('is also given as event_broker.sasl_plain_username');
  });

  it('name the Python spelling in warnings about settings the protocol ignores', () => {
    const logger = captureLogger();
    readBrokerOptions({
      url: 'k',
      security_protocol: 'PLAINTEXT',
      sasl_mechanism: 'PLAIN',
      ssl_cafile: 'x.pem',
      ssl_check_hostname: false,
      logger,
    });
    const text = logger.text();
    expect(text).toContain(
      'KafkaEventBroker options.sasl_mechanism ignored: security_protocol PLAINTEXT does not authenticate with SASL',
    );
    expect(text).toContain(
      'KafkaEventBroker options.ssl_cafile ignored: security_protocol PLAINTEXT does not use TLS',
    );
    expect(text).not.toContain('unknown setting');
  });

  it('name the camelCase option in errors', () => {
    codeError({}, 'url');
    codeError({ url: 'k', securityProtocol: 'TLS' as never }, 'securityProtocol');
    codeError(
      { url: 'k', saslMechanism: 'GSSAPI' as never, saslUsername: 'u', saslPassword: 'p' },
      'saslMechanism',
    );
    codeError({ url: 'k', securityProtocol: 'SSL', sslCafile: '/nowhere/ca.pem' }, 'sslCafile');
    codeError({ url: 'k', lingerMs: -1 }, 'lingerMs');
    codeError({ url: 'k', acks: 1 }, 'acks');
  });

  it("take buffer limits as flat options or core's BufferLimits, the flat ones winning", () => {
    const settings = readBrokerOptions({
      url: 'k',
      buffer: { maxEvents: 7, overflow: 'drop-oldest' },
      queueSize: 9,
    });
    expect(settings.producer.buffer).toMatchObject({ maxEvents: 9, overflow: 'drop-oldest' });
    expect(readBrokerOptions({ url: 'k', rasaEnvironment: 'production' }).rasaEnvironment).toBe('production');
  });

  it('warn about unknown options', () => {
    const logger = captureLogger();
    readBrokerOptions({ url: 'k', logger, lingerMS: 3 } as KafkaEventBrokerOptions);
    expect(logger.text()).toContain('unknown setting(s) KafkaEventBroker options.lingerMS');
    expect(logger.text()).not.toContain('options.logger');
  });

  it('construct without connecting: nothing happens before the first publish', () => {
    const broker = new KafkaEventBroker({ url: 'localhost:1' });
    expect(broker.state).toBe('idle');
    expect(broker.topic).toBe('rasa_core_events');
    return broker.close();
  });
});

describe('KafkaMessageSource options', () => {
  it('share the connection settings and name the option in errors', () => {
    const error = configError(() => new KafkaMessageSource({}));
    expect(error.key).toBe('KafkaMessageSource options.url');
    expect(configError(() => new KafkaMessageSource({ url: 'k', groupId: '' })).key).toBe(
      'KafkaMessageSource options.groupId',
    );
    expect(configError(() => new KafkaMessageSource({ url: 'k', sessionTimeoutMs: 10 })).key).toBe(
      'KafkaMessageSource options.sessionTimeoutMs',
    );
    expect(configError(() => new KafkaMessageSource({ url: 'k', topic: 'no spaces' })).key).toBe(
      'KafkaMessageSource options.topic',
    );
    for (const commitIntervalMs of [-1, 1.5, 60_001]) {
      expect(configError(() => new KafkaMessageSource({ url: 'k', commitIntervalMs })).key).toBe(
        'KafkaMessageSource options.commitIntervalMs',
      );
    }
    const source = new KafkaMessageSource({ url: 'k', topic: 'events' });
    expect(source.description).toBe('events (group broker-consumers)');
    expect(source.deadLetterTopic).toBe('events.dead-letter');
  });

  it("take the Rasa documentation's spellings, as in its SSL consumer example", () => {
    // KafkaConsumer('rasa_core_events', bootstrap_servers=['localhost:29093'], security_protocol='SSL',
    //               ssl_check_hostname=False, ssl_cafile='CARoot.pem', ssl_certfile='certificate.pem',
    //               ssl_keyfile='key.pem')   (bootstrap_servers is kafka-python's; ours is host or url)
    const logger = captureLogger();
    const source = inDirectory(
      tls.dir,
      () =>
        new KafkaMessageSource({
          topic: 'rasa_core_events',
          host: ['localhost:29093'],
          security_protocol: 'SSL',
          ssl_check_hostname: false,
          ssl_cafile: 'CARoot.pem',
          ssl_certfile: 'certificate.pem',
          ssl_keyfile: 'key.pem',
          client_id: 'analytics',
          logger,
        }),
    );
    expect(source.description).toBe('rasa_core_events (group broker-consumers)');
    expect(logger.text()).toBe('');
    const key = (options: KafkaMessageSourceOptions) =>
      configError(() => new KafkaMessageSource(options)).key;
    expect(key({ url: 'k', security_protocol: 'SSL', ssl_cafile: '/nowhere/ca.pem' })).toBe(
      'KafkaMessageSource options.ssl_cafile',
    );
    expect(key({ url: 'k', security_protocol: 'TLS' as never })).toBe(
      'KafkaMessageSource options.security_protocol',
    );
    const twice = configError(() => new KafkaMessageSource({ host: 'k', url: 'k' }));
    expect(twice.message).toContain(
      'KafkaMessageSource options.url: is also given as KafkaMessageSource options.host',
    );
  });

  it('from endpoints.yml read the group from group_id unless the caller names one', () => {
    const config = toEndpointConfig(
      { type: 'kafka', url: 'k', topic: 't', group_id: 'from-yaml' },
      'event_broker',
      FILE,
    );
    expect(KafkaMessageSource.fromEndpointConfig(config).description).toBe('t (group from-yaml)');
    expect(KafkaMessageSource.fromEndpointConfig(config, { groupId: 'mine' }).description).toBe(
      't (group mine)',
    );
    const bad = toEndpointConfig(
      { type: 'kafka', url: 'k', security_protocol: 'SOMETHING' },
      'event_broker',
      FILE,
    );
    expect(configError(() => KafkaMessageSource.fromEndpointConfig(bad)).key).toBe(
      'event_broker.security_protocol',
    );
  });
});
