import { ConfigError, toEndpointConfig } from '@broker/core';
import { closedPort } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { KafkaEventBroker, KafkaMessageSource } from '../src/index';
import { captureLogger } from './capture-logger';

// fromEndpointConfig takes an EndpointConfig (loadEndpoints, toEndpointConfig) or the section as
// written in endpoints.yml. A flat section used to be read for its url alone: the topic and
// security_protocol: SSL were dropped, and the broker connected in plaintext.

async function errorOf(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
  return error as ConfigError;
}

describe('a flat event_broker section, given straight to the kafka classes', () => {
  it('KafkaEventBroker.fromEndpointConfig reads security_protocol and the TLS keys', async () => {
    const error = await errorOf(() =>
      KafkaEventBroker.fromEndpointConfig({
        type: 'kafka',
        url: '127.0.0.1:9092',
        topic: 'flat',
        security_protocol: 'SSL',
        ssl_cafile: '/nonexistent/ca.pem',
      }),
    );
    expect(error.key).toBe('event_broker.ssl_cafile');
  });

  it('KafkaEventBroker.fromEndpointConfig warns about unknown keys of a flat section', async () => {
    const logger = captureLogger();
    const broker = await KafkaEventBroker.fromEndpointConfig(
      { url: `127.0.0.1:${await closedPort()}`, topic: 'flat', topc: 'typo', startup: 'buffer' },
      { logger },
    );
    await broker.close({ timeout: 0 });
    expect(logger.text()).toContain('KafkaEventBroker ignores unknown setting(s) event_broker.topc');
  });

  it('KafkaMessageSource.fromEndpointConfig keeps the topic', () => {
    const source = KafkaMessageSource.fromEndpointConfig({ url: '127.0.0.1:9092', topic: 'flat-topic' });
    expect(source.description).toBe('flat-topic (group broker-consumers)');
  });

  it('a value that mixes both shapes is a ConfigError, not a guess', async () => {
    const config = { ...toEndpointConfig({ url: '127.0.0.1:9092' }), security_protocol: 'SSL' };
    expect((await errorOf(() => KafkaEventBroker.fromEndpointConfig(config))).message).toContain(
      'security_protocol is not a field of an EndpointConfig',
    );
    expect(() => KafkaMessageSource.fromEndpointConfig(config)).toThrow(
      'security_protocol is not a field of an EndpointConfig',
    );
  });
});

describe('unknown constructor options are warned about, as unknown YAML keys are', () => {
  it('new KafkaEventBroker({...}) and new KafkaMessageSource({...}): a misspelled option', async () => {
    const logger = captureLogger();
    const broker = new KafkaEventBroker({ url: '127.0.0.1:9092', topic: 't', logger, ...{ topc: 'x' } });
    new KafkaMessageSource({ url: '127.0.0.1:9092', topic: 't', logger, ...{ grupId: 'x' } });
    await broker.close({ timeout: 0 });
    expect(logger.text()).toContain(
      'KafkaEventBroker ignores unknown setting(s) KafkaEventBroker options.topc',
    );
    expect(logger.text()).toContain(
      'KafkaMessageSource ignores unknown setting(s) KafkaMessageSource options.grupId',
    );
  });
});
