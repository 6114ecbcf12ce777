import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BrokerError,
  ConfigError,
  ConfigReader,
  ConnectionError,
  censorText,
  EnvVarMissingError,
  loadEndpoints,
  parseEndpoints,
} from '../src/index';

const SECRET = 'Tr0ub4dor-S3cret';
const dir = mkdtempSync(join(tmpdir(), 'secrets-in-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything reachable from the error, as a log or a debugger would show it. */
function everything(error: unknown): string {
  return `${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}\n${JSON.stringify(error)}`;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectClean(error: unknown): void {
  expect(BrokerError.isInstance(error), `expected a BrokerError, got ${String(error)}`).toBe(true);
  expect(everything(error)).not.toContain(SECRET);
}

describe('no secret is reachable from an error object', () => {
  it.each([
    ['an unclosed flow sequence', `event_broker:\n  password: ${SECRET}\n  url: [unclosed\n  type: pika\n`],
    ['a bad indentation', `event_broker:\n  type: pika\n  password: ${SECRET}\n   url: x\n`],
    ['a duplicate key', `event_broker:\n  password: ${SECRET}\n  password: ${SECRET}2\n`],
    ['a tab', `event_broker:\n\tpassword: ${SECRET}\n`],
  ])('malformed YAML (%s) from a file: message, cause, snippet and buffer', (_, text) => {
    const file = join(dir, 'endpoints.yml');
    writeFileSync(file, text);
    const error = thrownBy(() => loadEndpoints(file));
    expectClean(error);
    expect(error).toMatchObject({ code: 'BROKER_CONFIG', file });
    expect((error as Error).message).toMatch(/^Malformed YAML in .* at line \d+, column \d+: /);
    // The cause still says what the YAML parser found, and where.
    expect((error as Error).cause).toMatchObject({ name: 'YAMLException', reason: expect.any(String) });
    expect(((error as Error).cause as Error).message).toMatch(/\(\d+:\d+\)$/);
  });

  it('a missing environment variable next to literal words of a secret', () => {
    const error = thrownBy(() =>
      parseEndpoints(`event_broker:\n  password: ${SECRET} \${NOT_SET_PW}\n`, { env: {} }),
    );
    expect(EnvVarMissingError.isInstance(error)).toBe(true);
    expectClean(error);
  });

  it.each([
    ['an integer', (reader: ConfigReader) => reader.integer('password')],
    ['a number', (reader: ConfigReader) => reader.number('password')],
    ['a boolean', (reader: ConfigReader) => reader.boolean('password')],
    ['a choice', (reader: ConfigReader) => reader.choice('password', ['a', 'b'])],
    ['a list', (reader: ConfigReader) => reader.stringList('password_list')],
    ['a mapping', (reader: ConfigReader) => reader.object('password')],
  ])('a secret setting that is not %s', (_, read) => {
    const reader = new ConfigReader(
      { password: SECRET, password_list: [SECRET, ''] },
      { prefix: 'event_broker', file: '/app/endpoints.yml' },
    );
    const error = thrownBy(() => read(reader));
    expectClean(error);
    expect((error as ConfigError).key).toMatch(/^event_broker\.password/);
  });

  it('the value of a setting that is not secret is still shown', () => {
    const reader = new ConfigReader({ port: 'http' }, { prefix: 'event_broker' });
    expect(() => reader.integer('port')).toThrow('got the string "http"');
  });

  it('a connection error whose message and cause carry URLs with passwords', () => {
    const urlError = thrownBy(() => new URL(`amqp://guest:${SECRET}@[not-a-host`));
    expect(inspect(urlError)).toContain(SECRET);
    const socketError = Object.assign(new Error(`connect ECONNREFUSED via user:${SECRET}@proxy:3128`), {
      code: 'ECONNREFUSED',
      port: 5672,
      config: { url: `amqp://guest:${SECRET}@rabbit`, password: SECRET },
      cause: urlError,
    });
    const error = new ConnectionError(`Cannot reach amqp://guest:${SECRET}@rabbit:5672/?token=${SECRET}`, {
      cause: socketError,
      details: { url: `amqps://u:${SECRET}@h`, password: SECRET, nested: { sasl: { token: SECRET } } },
    });
    expectClean(error);
    // What helps to debug stays: codes, ports, the chain of causes, the host.
    expect(error.message).toBe('Cannot reach amqp://guest:***@rabbit:5672/?token=***');
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED', port: 5672 });
    expect((error.cause as Error).cause).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_URL' });
    expect(error.details).toEqual({
      url: 'amqps://u:***@h',
      password: '***',
      nested: { sasl: { token: '***' } },
    });
  });

  it('a cause that is an AggregateError, a string, or an object whose getters throw', () => {
    const aggregate = new AggregateError([new Error(`first\n  password: ${SECRET}`)], 'all failed');
    const hostile = Object.defineProperty(new Error('hostile'), 'detail', {
      enumerable: true,
      get() {
        throw new Error(SECRET);
      },
    });
    for (const cause of [aggregate, `line one\npassword: ${SECRET}`, hostile]) {
      expectClean(new ConfigError('wrapped', { cause }));
    }
  });

  it('a BrokerError cause is kept as it is', () => {
    const inner = new ConnectionError('refused');
    expect(new ConfigError('outer', { cause: inner }).cause).toBe(inner);
  });
});

describe('censorText', () => {
  it.each([
    [`amqp://user:${SECRET}@host:5672/vhost`, 'amqp://user:***@host:5672/vhost'],
    [
      `see "user:${SECRET}@host" and postgres://a:${SECRET}@db/x`,
      'see "user:***@host" and postgres://a:***@db/x',
    ],
    [`https://h/path?api_token=${SECRET}&page=2`, 'https://h/path?api_token=***&page=2'],
  ])('hides credentials in %s', (text, expected) => {
    expect(censorText(text)).toBe(expected);
  });

  it.each([
    'amqp://user@host:5672',
    'expected amqp://[user[:password]@]host[:port][/vhost][?query].',
    'localhost:9092, [::1]:9092',
    'a=b&c=d',
  ])('leaves %s as it is', (text) => {
    expect(censorText(text)).toBe(text);
  });
});
