import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BrokerClosedError,
  BrokerError,
  ConfigError,
  ConnectionError,
  censorUrl,
  EnvVarMissingError,
  isBrokerError,
  redactConfig,
  TlsError,
} from '../src/index';

describe('BrokerError', () => {
  it('carries a code, a retry hint and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new ConnectionError('cannot reach 127.0.0.1:5672', { cause });
    expect(error).toMatchObject({ code: 'BROKER_CONNECTION', canRetry: true, name: 'ConnectionError' });
    expect(error.cause).toMatchObject({ name: 'Error', message: 'ECONNREFUSED' });
    const wrapped = new ConfigError('outer', { cause: error });
    expect(wrapped.cause).toBe(error);
    expect(new AuthenticationError('bad password', { canRetry: true }).canRetry).toBe(false);
  });

  it('recognises its own kind and its parents, not its siblings', () => {
    const error = new EnvVarMissingError('missing', ['$PW']);
    expect(BrokerError.isInstance(error)).toBe(true);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(EnvVarMissingError.isInstance(error)).toBe(true);
    expect(TlsError.isInstance(error)).toBe(false);
    expect(error.code).toBe('BROKER_ENV_VAR_MISSING');
    expect(isBrokerError(error, 'BROKER_ENV_VAR_MISSING')).toBe(true);
    expect(isBrokerError(error, 'BROKER_CONFIG')).toBe(false);
    expect(BrokerError.isInstance(new Error('plain'))).toBe(false);
    expect(BrokerError.isInstance(null)).toBe(false);
  });

  it('is recognised across the CJS and ESM builds (two copies of the class)', () => {
    const require = createRequire(import.meta.url);
    const cjs = require(join(__dirname, '../dist/index.cjs')) as typeof import('../src/index');
    expect(cjs.BrokerClosedError).not.toBe(BrokerClosedError);
    const fromCjs = new cjs.BrokerClosedError();
    expect(fromCjs instanceof BrokerClosedError).toBe(false);
    expect(BrokerClosedError.isInstance(fromCjs)).toBe(true);
    expect(cjs.BrokerError.isInstance(new BrokerClosedError())).toBe(true);
  });
});

describe('secrets in messages', () => {
  it('censors passwords in URLs and secret-looking query parameters', () => {
    expect(censorUrl('amqp://user:s3cret@host:5672/vhost?heartbeat=5')).toBe(
      'amqp://user:***@host:5672/vhost?heartbeat=5',
    );
    expect(censorUrl('amqps://u:p@h/?token=abc')).toBe('amqps://u:***@h/?token=***');
    expect(censorUrl('localhost')).toBe('localhost');
    expect(censorUrl('amqp://u:p@[broken')).toBe('amqp://***@[broken');
  });

  it('redacts secret keys of a config object', () => {
    expect(
      redactConfig({ username: 'u', password: 'p', sasl_password: 'x', url: 'amqp://a:b@h', port: 1 }),
    ).toEqual({
      username: 'u',
      password: '***',
      sasl_password: '***',
      url: 'amqp://a:***@h',
      port: 1,
    });
  });
});
