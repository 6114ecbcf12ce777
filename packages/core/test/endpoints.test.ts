import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, EnvVarMissingError, type Logger, loadEndpoints, parseEndpoints } from '../src/index';

const endpointsDir = join(__dirname, 'fixtures/rasa/endpoints');

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = () => {};
  return {
    debug: log,
    info: log,
    error: log,
    warn: vi.fn((a: unknown, b?: string) => warnings.push(typeof a === 'string' ? a : (b ?? ''))),
    warnings,
  } as Logger & { warnings: string[] };
}

describe("Rasa's endpoint fixtures", () => {
  it.each([
    [
      'rasa-1.0/pika_endpoint.yml',
      'pika',
      'localhost',
      { username: 'username', password: 'password', queue: 'queue' },
    ],
    [
      'rasa-1.0/kafka_plaintext_endpoint.yml',
      'kafka',
      'localhost',
      {
        sasl_username: 'username',
        sasl_password: 'password',
        topic: 'topic',
        security_protocol: 'SASL_PLAINTEXT',
      },
    ],
    [
      'rasa-1.0/kafka_ssl_endpoint.yml',
      'kafka',
      'localhost',
      {
        topic: 'topic',
        security_protocol: 'SSL',
        ssl_cafile: 'CARoot.pem',
        ssl_certfile: 'certificate.pem',
        ssl_keyfile: 'key.pem',
        ssl_check_hostname: true,
      },
    ],
    ['rasa-1.0/file_endpoint.yml', 'file', undefined, { path: 'rasa_event.log' }],
    [
      'rasa-3.x/pika_endpoint.yml',
      'pika',
      'localhost',
      { username: 'username', password: 'password', queues: ['queue-1'], exchange_name: 'exchange' },
    ],
    [
      'rasa-3.x/kafka_plaintext_endpoint.yml',
      'kafka',
      'localhost',
      { security_protocol: 'PLAINTEXT', topic: 'topic', client_id: 'kafka-python-rasa' },
    ],
    [
      'rasa-3.x/kafka_plaintext_endpoint_no_url.yml',
      'kafka',
      undefined,
      { client_id: 'kafka-python-rasa', security_protocol: 'PLAINTEXT' },
    ],
    [
      'rasa-3.x/kafka_sasl_plaintext_endpoint.yml',
      'kafka',
      'localhost',
      {
        security_protocol: 'SASL_PLAINTEXT',
        topic: 'topic',
        partition_by_sender: true,
        sasl_username: 'username',
        sasl_password: 'password',
        sasl_mechanism: 'PLAIN',
      },
    ],
    [
      'rasa-3.x/kafka_sasl_ssl_endpoint.yml',
      'kafka',
      'localhost',
      {
        security_protocol: 'SASL_SSL',
        topic: 'topic',
        sasl_username: 'username',
        sasl_password: 'password',
        sasl_mechanism: 'PLAIN',
        ssl_cafile: 'CARoot.pem',
        ssl_certfile: 'certificate.pem',
        ssl_keyfile: 'key.pem',
        ssl_check_hostname: true,
      },
    ],
    [
      'rasa-3.x/kafka_ssl_endpoint.yml',
      'kafka',
      'localhost',
      {
        security_protocol: 'SSL',
        topic: 'topic',
        ssl_cafile: 'CARoot.pem',
        ssl_certfile: 'certificate.pem',
        ssl_keyfile: 'key.pem',
        ssl_check_hostname: true,
      },
    ],
    ['rasa-3.x/kafka_invalid_security_protocol.yml', 'kafka', undefined, { security_protocol: 'SOMETHING' }],
    ['rasa-3.x/sql_endpoint.yml', 'sql', undefined, { db: ':memory:', dialect: 'sqlite' }],
  ])('%s loads to the expected config', (file, type, url, kwargs) => {
    const { eventBroker } = loadEndpoints(join(endpointsDir, file), { env: {} });
    expect(eventBroker).toMatchObject({ section: 'event_broker', type, url, kwargs, consumed: {} });
    expect(eventBroker!.file).toBe(join(endpointsDir, file));
  });

  it('keeps the invalid sasl_mechanism for the kafka adapter to reject', () => {
    const { eventBroker } = loadEndpoints(join(endpointsDir, 'rasa-3.x/kafka_invalid_sasl_mechanism.yml'));
    expect(eventBroker?.kwargs.sasl_mechanism).toBe('SOMETHING');
  });
});

describe('endpoints.yml reading', () => {
  it('treats a missing or empty event_broker section as "no broker"', () => {
    expect(parseEndpoints('action_endpoint:\n  url: http://x\n').eventBroker).toBeNull();
    expect(parseEndpoints('event_broker:\n').eventBroker).toBeNull();
    expect(parseEndpoints('').eventBroker).toBeNull();
  });

  it('lets store_type win over type, and consumes Rasa endpoint parameters', () => {
    const { eventBroker } = parseEndpoints(
      'event_broker:\n  type: pika\n  store_type: kafka\n  headers: {a: 1}\n  token: t\n  topic: x\n',
    );
    expect(eventBroker).toMatchObject({
      type: 'kafka',
      kwargs: { topic: 'x' },
      consumed: { headers: { a: 1 }, token: 't' },
    });
  });

  it('parses YAML 1.2 booleans and numbers like ruamel', () => {
    const { eventBroker } = parseEndpoints(
      'event_broker:\n  a: True\n  b: false\n  c: 5672\n  d: "5672"\n  e: 1.5\n  f: yes\n',
    );
    expect(eventBroker?.kwargs).toEqual({ a: true, b: false, c: 5672, d: '5672', e: 1.5, f: 'yes' });
  });

  it('names the file, line and column of malformed YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'endpoints-'));
    const file = join(dir, 'endpoints.yml');
    writeFileSync(file, 'event_broker:\n  url: [unclosed\n  type: pika\n');
    let caught: unknown;
    try {
      loadEndpoints(file);
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).file).toBe(file);
    expect((caught as Error).message).toMatch(
      new RegExp(`Malformed YAML in ${file} at line \\d+, column \\d+`),
    );
  });

  it('explains a missing file, a list document and a non-mapping section', () => {
    expect(() => loadEndpoints('/nonexistent/endpoints.yml')).toThrow(
      /Cannot read the endpoints file .*it does not exist/,
    );
    expect(() => parseEndpoints('- a\n- b\n')).toThrow(/must be a mapping of sections/);
    expect(() => parseEndpoints('event_broker: pika\n')).toThrow(/event_broker must be a mapping/);
  });
});

describe('${VAR} substitution, as Rasa does it', () => {
  const env = { PW: 'hunter2', USER: 'bob', HOST: 'rabbit', DOLLAR: '$secret' };
  const load = (yaml: string, logger?: Logger) =>
    parseEndpoints(yaml, { env, ...(logger ? { logger } : {}) }).eventBroker!.kwargs;

  it('expands unquoted values, several variables per value, and bare $NAME once ${...} matched', () => {
    expect(
      load('event_broker:\n  password: ${PW}\n  user: ${USER}-$HOST\n  list:\n    - ${HOST}:5672\n'),
    ).toEqual({
      password: 'hunter2',
      user: 'bob-rabbit',
      list: ['rabbit:5672'],
    });
  });

  it('keeps quoted values literally and warns about them', () => {
    const logger = recordingLogger();
    expect(load('event_broker:\n  a: "${PW}"\n  b: \'${PW}\'\n', logger)).toEqual({ a: '${PW}', b: '${PW}' });
    expect(logger.warnings.join('\n')).toContain('is quoted (or a block scalar), so ${...} is not expanded');
  });

  it('always yields strings', () => {
    expect(
      parseEndpoints('event_broker:\n  port: ${PORT}\n', { env: { PORT: '5673' } }).eventBroker!.kwargs.port,
    ).toBe('5673');
  });

  it('fails for a value that is only an unset variable, naming the variable and key', () => {
    let caught: unknown;
    try {
      load('event_broker:\n  password: ${MISSING_PW}\n');
    } catch (error) {
      caught = error;
    }
    expect(EnvVarMissingError.isInstance(caught)).toBe(true);
    expect((caught as EnvVarMissingError).variables).toEqual(['${MISSING_PW}']);
    expect((caught as EnvVarMissingError).key).toBe('event_broker.password');
    expect((caught as Error).message).toContain(
      "Please make sure to also set these environment variables: '${MISSING_PW}'",
    );
  });

  it('keeps an unset variable inside a longer value, as Rasa does, with a warning', () => {
    const logger = recordingLogger();
    const { eventBroker } = parseEndpoints('event_broker:\n  url: amqp://${NOPE}:5672\n  db: db_${NOPE}\n', {
      env,
      logger,
    });
    expect(eventBroker?.url).toBe('amqp://${NOPE}:5672');
    expect(eventBroker?.kwargs).toEqual({ db: 'db_${NOPE}' });
    expect(logger.warnings.some((w) => w.includes('still contains ${...}'))).toBe(true);
  });

  it.each([['x ${MISSING}'], ['${MISSING} x'], ['a ${MISSING} b'], ['${PW} ${MISSING}']])(
    'fails for an unset variable that is a word of its own in a value with spaces: %s',
    (value) => {
      let caught: unknown;
      try {
        load(`event_broker:\n  queue: ${value}\n`);
      } catch (error) {
        caught = error;
      }
      expect(
        EnvVarMissingError.isInstance(caught),
        `expected EnvVarMissingError, got ${String(caught)}`,
      ).toBe(true);
      expect((caught as EnvVarMissingError).variables).toEqual(['${MISSING}']);
      expect((caught as EnvVarMissingError).key).toBe('event_broker.queue');
      // Rasa names the value as written, so the value of a variable that is set never shows.
      expect((caught as Error).message).toContain(`'${value}'`);
      expect((caught as Error).message).not.toContain('hunter2');
    },
  );

  it('names the value of a secret key with only its variable references, its words hidden', () => {
    const logger = recordingLogger();
    const caught = (() => {
      try {
        return load('event_broker:\n  password: hunter3 ${MISSING}\n');
      } catch (error) {
        return error;
      }
    })();
    expect(EnvVarMissingError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain("in '*** ${MISSING}' (key event_broker.password)");
    expect((caught as Error).message).not.toContain('hunter3');
    // The warnings about values kept literally show secrets the same way.
    parseEndpoints('event_broker:\n  sasl_password: hunter3-${NOPE}\n  token: "${PW} hunter4"\n', {
      env,
      logger,
    });
    expect(logger.warnings).toEqual([
      expect.stringContaining("event_broker.sasl_password: '***${NOPE}' still contains"),
      expect.stringContaining("event_broker.token: '${PW} ***' is quoted"),
    ]);
    expect(logger.warnings.join('\n')).not.toMatch(/hunter/);
  });

  it('keeps a bare $NAME literally when the value has no ${...} (the resolver needs braces)', () => {
    const logger = recordingLogger();
    expect(load('event_broker:\n  password: $PW\n  user: pre-$USER\n  unset: $NOT_SET\n', logger)).toEqual({
      password: '$PW',
      user: 'pre-$USER',
      unset: '$NOT_SET',
    });
  });

  it('accepts variables whose value contains a dollar sign', () => {
    expect(load('event_broker:\n  password: ${DOLLAR}\n')).toEqual({ password: '$secret' });
  });

  it('does not expand block scalars (they are not plain scalars)', () => {
    expect(load('event_broker:\n  note: |\n    ${PW}\n')).toEqual({ note: '${PW}\n' });
  });
});
