import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrokerError,
  ConfigError,
  loadEndpoints,
  SettingsReader,
  TlsError,
  toEndpointConfig,
} from '@broker/core';
import { closedPort, type GeneratedTlsFiles, generateTlsFiles, KEY_PASSWORD } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBrokerSettings } from '../src/broker/read-broker-settings';
import { PikaEventBroker } from '../src/index';
import { PIKA_SETTINGS } from '../src/pika-settings';
import { recordingLogger } from './helpers/recording-logger';

const FILE = '/etc/rasa/endpoints.yml';

function readYaml(values: Record<string, unknown>, env: Record<string, string> = {}) {
  const logger = recordingLogger();
  const reader = new SettingsReader(PIKA_SETTINGS, 'yaml', values, {
    prefix: 'event_broker',
    file: FILE,
    logger,
  });
  const settings = readBrokerSettings(reader, env);
  return { settings, logger, unknown: reader.warnUnknown('The pika event broker') };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const base = { url: 'localhost', username: 'user', password: 's3cret-pw' };

describe('endpoints.yml keys: values Rasa accepts', () => {
  it("reads Rasa 3.x's pika_endpoint.yml keys with Rasa's defaults", () => {
    const { settings, logger } = readYaml({ ...base, queues: ['queue-1'], exchange_name: 'exchange' });
    expect(settings.connection.endpoint).toMatchObject({
      tls: false,
      hostname: 'localhost',
      port: 5672,
      username: 'user',
      password: 's3cret-pw',
      vhost: '/',
      display: 'amqp://user@localhost:5672',
    });
    expect(settings.topology).toMatchObject({
      exchangeName: 'exchange',
      queues: ['queue-1'],
      passiveQueues: false,
    });
    expect(settings).toMatchObject({
      startup: 'wait',
      connectionAttempts: 20,
      retryDelayMs: 5000,
      keepUnpublished: true,
      raiseOnFailure: false,
      confirmWindow: 1000,
      contentType: undefined,
      messageId: false,
      appId: undefined,
    });
    expect(settings.connection.heartbeatSeconds).toBe(15);
    expect(logger.warnings()).toEqual([]);
  });

  it('coerces the strings ${VAR} substitution produces', () => {
    const { settings } = readYaml({
      ...base,
      port: '5673',
      connection_attempts: '3',
      retry_delay_in_seconds: '0.5',
      should_keep_unpublished_messages: 'False',
      raise_on_failure: 'true',
      passive_queues: 'TRUE',
      confirm_window: '64',
      buffer_max_events: '10',
      buffer_max_bytes: '2048',
      buffer_overflow: 'Drop-Oldest',
      heartbeat: '0',
      queue_arguments: { 'x-queue-type': 'quorum', 'x-max-length': '1000', 'x-single-active-consumer': true },
    });
    expect(settings.connection.endpoint.port).toBe(5673);
    expect(settings).toMatchObject({
      connectionAttempts: 3,
      retryDelayMs: 500,
      keepUnpublished: false,
      raiseOnFailure: true,
      confirmWindow: 64,
      buffer: { maxEvents: 10, maxBytes: 2048, overflow: 'drop-oldest' },
    });
    expect(settings.topology.passiveQueues).toBe(true);
    expect(settings.topology.queueArguments).toEqual({
      'x-queue-type': 'quorum',
      'x-max-length': 1000,
      'x-single-active-consumer': true,
    });
    expect(settings.connection.heartbeatSeconds).toBe(0);
  });

  it('takes queues as a list or a single string, and defaults to rasa_core_events with a warning (as Rasa)', () => {
    expect(readYaml({ ...base, queues: 'one' }).settings.topology.queues).toEqual(['one']);
    expect(readYaml({ ...base, queues: ['a', 'b', 'a'] }).settings.topology.queues).toEqual(['a', 'b']);
    const { settings, logger } = readYaml({ ...base, queues: [] });
    expect(settings.topology.queues).toEqual(['rasa_core_events']);
    expect(logger.warnings().join('\n')).toMatch(/event_broker\.queues is not set.*rasa_core_events/);
  });

  it('honours the legacy queue key of Rasa 1.x with a deprecation warning', () => {
    const { settings, logger } = readYaml({ ...base, queue: 'rasa_production_events' });
    expect(settings.topology.queues).toEqual(['rasa_production_events']);
    expect(logger.warnings().join('\n')).toMatch(
      /event_broker\.queue is deprecated.*queues: \[rasa_production_events\]/,
    );
    const both = readYaml({ ...base, queue: 'old', queues: ['new'] });
    expect(both.settings.topology.queues).toEqual(['new']);
    expect(both.logger.warnings().join('\n')).toMatch(/event_broker\.queue is deprecated and ignored/);
  });

  it('turns content_type and message_id on only when asked', () => {
    expect(readYaml({ ...base, content_type: true }).settings.contentType).toBe('application/json');
    expect(readYaml({ ...base, content_type: 'application/json' }).settings.contentType).toBe(
      'application/json',
    );
    expect(readYaml({ ...base, content_type: 'false' }).settings.contentType).toBeUndefined();
    expect(readYaml({ ...base, message_id: 'true' }).settings.messageId).toBe(true);
  });

  it('takes app_id from RASA_ENVIRONMENT, as Rasa', () => {
    expect(readYaml(base, { RASA_ENVIRONMENT: 'production' }).settings.appId).toBe('production');
    expect(readYaml(base, { RASA_ENVIRONMENT: '' }).settings.appId).toBeUndefined();
  });

  it('warns about unknown keys, naming them', () => {
    const { unknown, logger } = readYaml({ ...base, qeueus: ['x'], exchange: 'y' });
    expect(unknown).toEqual(['qeueus', 'exchange']);
    expect(logger.warnings().join('\n')).toContain('event_broker.qeueus, event_broker.exchange');
  });
});

describe('url: host names and amqp:// URIs, handled faithfully', () => {
  const endpoint = (values: Record<string, unknown>) => readYaml(values).settings.connection.endpoint;

  it.each([
    [
      'amqp://localhost',
      { hostname: 'localhost', port: 5672, vhost: '/', username: 'user', password: 's3cret-pw' },
    ],
    ['amqp://localhost:5673', { port: 5673 }],
    ['amqps://rabbit.example', { tls: true, port: 5671 }],
    ['amqp://rabbit/my-vhost', { vhost: 'my-vhost' }],
    ['amqp://rabbit/%2F', { vhost: '/' }],
    ['amqp://rabbit/', { vhost: '/' }],
    ['amqp://rabbit/team%2Fbots', { vhost: 'team/bots' }],
    ['amqp://[::1]:5673', { hostname: '::1', port: 5673, display: 'amqp://user@[::1]:5673' }],
    ['amqp://other:p%40ss@rabbit', { username: 'other', password: 'p@ss' }],
  ])('%s', (url, expected) => {
    expect(endpoint({ ...base, url })).toMatchObject(expected);
  });

  it('keeps the vhost and query of a URI (Rasa 3.0-3.4 dropped them)', () => {
    const { settings, logger } = readYaml({
      ...base,
      url: 'amqp://test_user:test_pass@localhost/myvhost?heartbeat=5&connection_timeout=10000',
    });
    expect(settings.connection.endpoint).toMatchObject({
      username: 'test_user',
      password: 'test_pass',
      vhost: 'myvhost',
      port: 5672,
    });
    expect(settings.connection.heartbeatSeconds).toBe(5);
    expect(settings.connection.connectionTimeoutMs).toBe(10_000);
    // username/password keys differ from the URI's: the URI wins, and the keys are named (never the values).
    const text = logger.text();
    expect(text).toMatch(/event_broker\.username is ignored/);
    expect(text).toMatch(/event_broker\.password is ignored/);
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain('test_pass');
  });

  it('never doubles the port (Rasa 3.x appends port to a URI that has one)', () => {
    const { settings, logger } = readYaml({ ...base, url: 'amqp://localhost:5673', port: 5672 });
    expect(settings.connection.endpoint.port).toBe(5673);
    expect(logger.warnings().join('\n')).toMatch(/event_broker\.port is ignored/);
  });

  it('fills in what the URI leaves out from username, password and port', () => {
    expect(endpoint({ ...base, url: 'amqp://rabbit', port: 5680 })).toMatchObject({
      port: 5680,
      username: 'user',
      password: 's3cret-pw',
    });
    expect(endpoint({ url: 'rabbit' })).toMatchObject({ username: 'guest', password: 'guest' });
  });

  it('lets the heartbeat key win over ?heartbeat= and warns about unknown query parameters', () => {
    const { settings, logger } = readYaml({
      ...base,
      url: 'amqp://rabbit?heartbeat=5&frobnicate=1',
      heartbeat: 30,
    });
    expect(settings.connection.heartbeatSeconds).toBe(30);
    expect(logger.warnings().join('\n')).toMatch(/query parameter\(s\) frobnicate/);
  });

  it.each([
    [{ url: undefined }, 'event_broker.url', /is required/],
    [{ url: ['localhost'] }, 'event_broker.url', /expected a string/],
    [{ url: 'http://localhost' }, 'event_broker.url', /scheme "http:"/],
    [{ url: 'localhost:5672' }, 'event_broker.url', /looks like host:port/],
    [{ url: 'my rabbit' }, 'event_broker.url', /not a host name/],
    [{ url: 'amqp://' }, 'event_broker.url', /not a valid URL|no host name/],
    [{ url: 'amqp://rabbit/a/b' }, 'event_broker.url', /single path segment/],
    [{ url: 'amqp://user:%zz@rabbit' }, 'event_broker.url', /malformed %-escape/],
    [{ url: 'amqp://rabbit?heartbeat=soon' }, 'event_broker.url', /heartbeat="soon"/],
    [{ port: 'amqp' }, 'event_broker.port', /integer between 1 and 65535.*"amqp"/],
    [{ port: 0 }, 'event_broker.port', /between 1 and 65535/],
    [{ port: 70000 }, 'event_broker.port', /between 1 and 65535/],
    [{ username: ['a'] }, 'event_broker.username', /expected a string/],
    [{ password: { x: 1 } }, 'event_broker.password', /expected a string/],
    [{ queues: 5 }, 'event_broker.queues', /list of non-empty strings/],
    [{ queues: ['ok', ''] }, 'event_broker.queues', /list of non-empty strings/],
    [{ queues: ['amq.events'] }, 'event_broker.queues', /reserves/],
    [{ queue: ['x'] }, 'event_broker.queue', /expected a string/],
    [{ exchange_name: '' }, 'event_broker.exchange_name', /must not be empty/],
    [{ exchange_name: 'amq.fanout' }, 'event_broker.exchange_name', /reserves/],
    [{ connection_attempts: 0 }, 'event_broker.connection_attempts', /at least 1/],
    [{ connection_attempts: 'many' }, 'event_broker.connection_attempts', /integer/],
    [{ retry_delay_in_seconds: -1 }, 'event_broker.retry_delay_in_seconds', /between 0 and 3600/],
    [{ retry_delay_in_seconds: 'soon' }, 'event_broker.retry_delay_in_seconds', /expected a number/],
    [
      { should_keep_unpublished_messages: 'maybe' },
      'event_broker.should_keep_unpublished_messages',
      /true or false/,
    ],
    [{ raise_on_failure: 2 }, 'event_broker.raise_on_failure', /true or false/],
    [{ queue_arguments: ['x-queue-type'] }, 'event_broker.queue_arguments', /expected a mapping/],
    [
      { queue_arguments: { 'x-max-length': 'lots' } },
      'event_broker.queue_arguments',
      /x-max-length must be an integer/,
    ],
    [
      { queue_arguments: { 'x-foo': { a: 1 } } },
      'event_broker.queue_arguments',
      /x-foo must be a string, number or boolean/,
    ],
    [{ passive_queues: 'sometimes' }, 'event_broker.passive_queues', /true or false/],
    [{ startup: 'later' }, 'event_broker.startup', /one of wait, buffer/],
    [{ buffer_max_events: 0 }, 'event_broker.buffer_max_events', /between 1 and 100000000, got 0\./],
    // Kafka's caps (queue_size, buffer_max_bytes), in the same words.
    [
      { buffer_max_events: 1e20 },
      'event_broker.buffer_max_events',
      /: expected a number between 1 and 100000000, got 100000000000000000000\.$/,
    ],
    [
      { buffer_max_bytes: 100 },
      'event_broker.buffer_max_bytes',
      /: expected a number between 1024 and 9007199254740991, got 100\.$/,
    ],
    [{ buffer_max_bytes: '1MB' }, 'event_broker.buffer_max_bytes', /integer/],
    [{ buffer_overflow: 'drop-newest' }, 'event_broker.buffer_overflow', /one of reject, drop-oldest/],
    [{ confirm_window: 0 }, 'event_broker.confirm_window', /between 1 and 100000/],
    [{ heartbeat: -5 }, 'event_broker.heartbeat', /between 0 and 65535/],
    [{ content_type: 'json' }, 'event_broker.content_type', /MIME type/],
    [{ message_id: 'yes please' }, 'event_broker.message_id', /true or false/],
    [{ ssl_check_hostname: 'no' }, 'event_broker.ssl_check_hostname', /TLS setting/],
    [
      { url: 'amqps://rabbit', ssl_servername: ['rabbit'] },
      'event_broker.ssl_servername',
      /expected a string/,
    ],
    [
      { url: 'amqps://rabbit', ssl_servername: { name: 'x' } },
      'event_broker.ssl_servername',
      /expected a string/,
    ],
    [{ url: 'amqps://rabbit', ssl_servername: '' }, 'event_broker.ssl_servername', /must not be empty/],
    [{ url: 'amqps://rabbit', ssl_servername: '  ' }, 'event_broker.ssl_servername', /must not be empty/],
    [
      { url: 'amqps://rabbit', ssl_certfile: ['/c.pem'], ssl_keyfile: '/k.pem' },
      'event_broker.ssl_certfile',
      /expected a string/,
    ],
    [
      { url: 'amqps://rabbit', ssl_certfile: '/c.pem', ssl_keyfile: { path: '/k.pem' } },
      'event_broker.ssl_keyfile',
      /expected a string/,
    ],
    [
      { url: 'amqps://rabbit', ssl_certfile: '', ssl_keyfile: '/k.pem' },
      'event_broker.ssl_certfile',
      /must not be empty/,
    ],
    [
      { url: 'amqps://rabbit', ssl_keyfile: '/k.pem' },
      'event_broker.ssl_keyfile',
      /but no ssl_certfile was given/,
    ],
    [
      { url: 'amqp://rabbit', ssl_cafile: '/ca.pem' },
      'event_broker.ssl_cafile',
      /plain amqp:\/\/ URL; use amqps:\/\//,
    ],
  ])('%j is refused with a ConfigError naming %s', (values, key, message) => {
    const error = configError(() => readYaml({ ...base, ...values }));
    expect(error.key).toBe(key);
    expect(error.file).toBe(FILE);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${key} (in ${FILE})`);
    expect(error.canRetry).toBe(false);
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('never puts a password from the URL into an error', () => {
    const error = configError(() => readYaml({ url: 'amqp://bob:hunter2@rabbit/a/b' }));
    expect(error.message).not.toContain('hunter2');
  });
});

describe('TLS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pika-tls-'));
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'this is not a certificate\n');

  it('names the key and the path of a file that cannot be read', () => {
    const error = configError(() =>
      readYaml({ ...base, url: 'amqps://rabbit', ssl_cafile: join(dir, 'missing.pem') }),
    );
    expect(error.key).toBe('event_broker.ssl_cafile');
    expect(error.message).toMatch(/missing\.pem.*ENOENT/);
  });

  it('wants a certificate and its key together', () => {
    const error = configError(() => readYaml({ ...base, url: 'amqps://rabbit', ssl_certfile: garbage }));
    expect(error.key).toBe('event_broker.ssl_certfile');
    expect(error.message).toMatch(/no ssl_keyfile was given/);
  });

  it('reports a file that is not PEM as a TlsError naming where it came from', () => {
    let caught: unknown;
    try {
      readYaml({ ...base, url: 'amqps://rabbit', ssl_cafile: garbage });
    } catch (error) {
      caught = error;
    }
    expect(TlsError.isInstance(caught)).toBe(true);
    expect((caught as TlsError).message).toContain('ca from event_broker.ssl_cafile');
  });

  it("reads Rasa's RABBITMQ_SSL_* variables: a client certificate pair turns TLS on for a bare host", () => {
    const error = (() => {
      try {
        readYaml(base, {
          RABBITMQ_SSL_CLIENT_CERTIFICATE: garbage,
          RABBITMQ_SSL_CLIENT_KEY: join(dir, 'nope.pem'),
        });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(error.message).toMatch(/environment variable RABBITMQ_SSL_CLIENT_KEY: cannot read .*nope\.pem/);
  });

  it('takes TLS file names from the URL query as RabbitMQ and aio-pika spell them', () => {
    const error = configError(() =>
      readYaml({ ...base, url: `amqps://rabbit?cacertfile=${join(dir, 'q.pem')}` }),
    );
    expect(error.message).toMatch(/cacertfile in the query of event_broker\.url: cannot read/);
  });

  it('ignores the variables, with a warning, for a plain amqp:// URL', () => {
    const { settings, logger } = readYaml(
      { ...base, url: 'amqp://rabbit' },
      { RABBITMQ_SSL_CLIENT_CERTIFICATE: garbage, RABBITMQ_SSL_CLIENT_KEY: garbage },
    );
    expect(settings.connection.tls).toBeUndefined();
    expect(logger.warnings().join('\n')).toMatch(/TLS environment variables are set but ignored/);
  });
});

describe('constructor options (code)', () => {
  it('names options in camelCase in errors', () => {
    const error = configError(() => new PikaEventBroker({ host: 'localhost', confirmWindow: -1 }));
    expect(error.key).toBe('PikaEventBroker options.confirmWindow');
    const url = configError(() => new PikaEventBroker({ host: 'ftp://x' }));
    expect(url.key).toBe('PikaEventBroker options.host');
    const tls = configError(() => new PikaEventBroker({ host: 'amqp://x', sslCafile: '/ca.pem' }));
    expect(tls.key).toBe('PikaEventBroker options.sslCafile');
  });

  it('mirrors the Rasa documentation example: PikaProducer(host, username, password, queue=...)', async () => {
    const logger = recordingLogger();
    const broker = new PikaEventBroker({
      host: 'localhost',
      username: 'username',
      password: 'password',
      queue: 'rasa_core_events',
      logger,
    });
    expect(broker.url).toBe('amqp://username@localhost:5672');
    expect(broker.state).toBe('idle');
    expect(logger.warnings().join('\n')).toMatch(/PikaEventBroker options\.queue is deprecated/);
    await broker.close();
  });
});

describe('fromEndpointConfig', () => {
  it('refuses bad settings before connecting, naming key and file', async () => {
    const config = toEndpointConfig({ type: 'pika', url: 'localhost', port: 'x' }, 'event_broker', FILE);
    await expect(PikaEventBroker.fromEndpointConfig(config)).rejects.toSatisfy(
      (error: unknown) =>
        BrokerError.isInstance(error) &&
        error.code === 'BROKER_CONFIG' &&
        /event_broker\.port \(in .*endpoints\.yml\)/.test(error.message),
    );
  });
});

describe('TLS files that cannot be used (generated with openssl at test time)', () => {
  let files: GeneratedTlsFiles;
  beforeAll(() => {
    files = generateTlsFiles('broker-pika-tls-');
  });
  afterAll(() => files?.remove());

  const amqps = (values: Record<string, unknown>, env: Record<string, string> = {}) =>
    readYaml({ ...base, url: 'amqps://rabbit', ...values }, env);
  function tlsError(run: () => unknown): TlsError {
    try {
      run();
    } catch (error) {
      expect(TlsError.isInstance(error), `expected a TlsError, got ${String(error)}`).toBe(true);
      return error as TlsError;
    }
    throw new Error('expected a TlsError, nothing was thrown');
  }

  it('accepts the generated pair, so the failures below are about the bad value only', () => {
    const { settings } = amqps({
      ssl_certfile: files.cert,
      ssl_keyfile: files.key,
      ssl_servername: 'localhost',
    });
    expect(settings.connection.tls).toMatchObject({ servername: 'localhost', checkHostname: true });
    expect(settings.connection.tls?.cert?.toString()).toContain('BEGIN CERTIFICATE');
    const encrypted = amqps(
      { ssl_certfile: files.cert, ssl_keyfile: files.encryptedKey },
      { RABBITMQ_SSL_KEY_PASSWORD: KEY_PASSWORD },
    );
    expect(encrypted.settings.connection.tls?.passphrase).toBe(KEY_PASSWORD);
  });

  it.each([
    [
      'ssl_certfile',
      'a missing file',
      () => ({ ssl_certfile: join(files.dir, 'no-cert.pem'), ssl_keyfile: files.key }),
      /no-cert\.pem.*ENOENT/,
    ],
    ['ssl_certfile', 'a directory', () => ({ ssl_certfile: files.dir, ssl_keyfile: files.key }), /EISDIR/],
    [
      'ssl_keyfile',
      'a missing file',
      () => ({ ssl_certfile: files.cert, ssl_keyfile: join(files.dir, 'no-key.pem') }),
      /no-key\.pem.*ENOENT/,
    ],
    ['ssl_keyfile', 'a directory', () => ({ ssl_certfile: files.cert, ssl_keyfile: files.dir }), /EISDIR/],
  ])(
    'event_broker.%s naming %s is a ConfigError with the key and the path',
    (key, _what, values, message) => {
      const error = configError(() => amqps(values()));
      expect(error.key).toBe(`event_broker.${key}`);
      expect(error.message).toContain(`event_broker.${key} (in ${FILE})`);
      expect(error.message).toMatch(message);
      expect(error.canRetry).toBe(false);
    },
  );

  it('a key that does not belong to the certificate is a TlsError naming both files', () => {
    const error = tlsError(() => amqps({ ssl_certfile: files.cert, ssl_keyfile: files.otherKey }));
    expect(error.message).toMatch(/key belongs to the certificate/);
    expect(error.message).toContain('cert from event_broker.ssl_certfile');
    expect(error.message).toContain('key from event_broker.ssl_keyfile');
    expect(error.canRetry).toBe(false);
  });

  it('the same mismatch from the RABBITMQ_SSL_CLIENT_* variables names the variables', () => {
    const error = tlsError(() =>
      readYaml(base, {
        RABBITMQ_SSL_CLIENT_CERTIFICATE: files.cert,
        RABBITMQ_SSL_CLIENT_KEY: files.otherKey,
      }),
    );
    expect(error.message).toContain('cert from environment variable RABBITMQ_SSL_CLIENT_CERTIFICATE');
    expect(error.message).toContain('key from environment variable RABBITMQ_SSL_CLIENT_KEY');
  });

  it.each([
    ['a wrong password', { RABBITMQ_SSL_KEY_PASSWORD: 'not-the-password' }],
    ['no password', {}],
    ['an empty password', { RABBITMQ_SSL_KEY_PASSWORD: '' }],
  ])(
    'an encrypted key with %s in RABBITMQ_SSL_KEY_PASSWORD is a TlsError that never shows the password',
    (_what, env: Record<string, string>) => {
      const error = tlsError(() => amqps({ ssl_certfile: files.cert, ssl_keyfile: files.encryptedKey }, env));
      expect(error.message).toMatch(/cannot be used .*decrypt/);
      expect(error.message).toContain('key from event_broker.ssl_keyfile');
      expect(error.message).not.toContain('not-the-password');
      expect(error.message).not.toContain(KEY_PASSWORD);
    },
  );
});

describe('constructor options (code): bad values', () => {
  it.each([
    [{ appId: ['prod'] }, 'appId', /expected a string/],
    [{ appId: { name: 'prod' } }, 'appId', /expected a string/],
    [{ closeTimeoutMs: -1 }, 'closeTimeoutMs', /at least 0/],
    [{ closeTimeoutMs: 1.5 }, 'closeTimeoutMs', /expected an integer/],
    [{ closeTimeoutMs: 'soon' }, 'closeTimeoutMs', /expected an integer/],
    [{ closeTimeoutMs: Number.POSITIVE_INFINITY }, 'closeTimeoutMs', /expected an integer/],
    [{ sslServername: '' }, 'sslServername', /must not be empty/],
    [{ sslServername: ['x'] }, 'sslServername', /expected a string/],
    [{ sslCertfile: ['x'], sslKeyfile: '/k.pem' }, 'sslCertfile', /expected a string/],
    [{ sslCertfile: '/nowhere/c.pem', sslKeyfile: '/k.pem' }, 'sslCertfile', /nowhere\/c\.pem.*ENOENT/],
  ])('%j is refused naming PikaEventBroker options.%s', (values, key, message) => {
    const error = configError(
      () => new PikaEventBroker({ host: 'amqps://rabbit', ...(values as Record<string, unknown>) } as never),
    );
    expect(error.key).toBe(`PikaEventBroker options.${key}`);
    expect(error.message).toMatch(message);
  });

  it('takes appId and closeTimeoutMs when they are valid', async () => {
    const logger = recordingLogger();
    const broker = new PikaEventBroker({ host: 'localhost', appId: 'staging', closeTimeoutMs: 0, logger });
    expect(logger.warnings()).toEqual([]);
    await broker.close();
  });
});

describe('unknown keys are warned about, naming them', () => {
  it('PikaEventBroker.fromEndpointConfig: a misspelled queues key', async () => {
    const port = await closedPort();
    const logger = recordingLogger();
    const config = toEndpointConfig(
      { type: 'pika', url: '127.0.0.1', port, startup: 'buffer', qeueus: ['mine'], exchnage_name: 'x' },
      'event_broker',
      FILE,
    );
    const broker = await PikaEventBroker.fromEndpointConfig(config, { logger });
    try {
      const warning = logger.entries.find((e) => e.level === 'warn' && e.message.includes('unknown setting'));
      expect(warning?.message).toBe(
        'The pika event broker ignores unknown setting(s) event_broker.qeueus, event_broker.exchnage_name; check the spelling',
      );
      expect(warning?.context).toMatchObject({
        keys: ['event_broker.qeueus', 'event_broker.exchnage_name'],
        file: FILE,
      });
      // The misspelled key did not count as queues: the default applies (with its own warning).
      expect(logger.warnings().join('\n')).toMatch(/event_broker\.queues is not set.*rasa_core_events/);
      expect(broker.isReady()).toBe(false);
    } finally {
      await broker.close({ timeout: 100 });
    }
    expect(broker.state).toBe('closed');
  });

  it('new PikaEventBroker({...}): a misspelled option', async () => {
    const port = await closedPort();
    const logger = recordingLogger();
    const broker = new PikaEventBroker({
      host: '127.0.0.1',
      port,
      startup: 'buffer',
      logger,
      ...({ qeueus: ['mine'] } as Record<string, unknown>),
    });
    try {
      expect(logger.warnings()).toContain(
        'PikaEventBroker ignores unknown setting(s) PikaEventBroker options.qeueus; check the spelling',
      );
      expect(broker.state).toBe('idle');
    } finally {
      await broker.close({ timeout: 100 });
    }
  });

  it('known keys alone give no unknown-key warning', async () => {
    const logger = recordingLogger();
    const broker = new PikaEventBroker({
      host: '127.0.0.1',
      port: await closedPort(),
      startup: 'buffer',
      logger,
    });
    await broker.close({ timeout: 100 });
    expect(logger.warnings().join('\n')).not.toMatch(/unknown setting/);
  });
});

describe("Rasa 1.0's pika_endpoint.yml fixture (legacy queue:)", () => {
  it('reads as queues [queue] with a deprecation warning', () => {
    const fixture = fileURLToPath(
      new URL('../../core/test/fixtures/rasa/endpoints/rasa-1.0/pika_endpoint.yml', import.meta.url),
    );
    const config = loadEndpoints(fixture).eventBroker!;
    expect(config).toMatchObject({ type: 'pika', url: 'localhost', kwargs: { queue: 'queue' } });
    // Exactly as PikaEventBroker.fromEndpointConfig reads it (nothing connects here).
    const logger = recordingLogger();
    const reader = SettingsReader.ofSection(PIKA_SETTINGS, config, logger);
    const settings = readBrokerSettings(reader, {});
    expect(reader.warnUnknown('The pika event broker')).toEqual([]);
    expect(settings.topology.queues).toEqual(['queue']);
    expect(settings.topology.exchangeName).toBe('rasa-exchange');
    expect(settings.connection.endpoint).toMatchObject({
      hostname: 'localhost',
      username: 'username',
      password: 'password',
    });
    const deprecation = logger.entries.filter((e) => e.level === 'warn' && /deprecated/.test(e.message));
    expect(deprecation).toHaveLength(1);
    expect(deprecation[0]!.message).toMatch(/event_broker\.queue is deprecated.*queues: \[queue\]/);
    expect(logger.text()).not.toContain('password: password');
  });
});
