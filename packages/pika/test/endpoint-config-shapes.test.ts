import { ConfigError, toEndpointConfig } from '@broker/core';
import { closedPort } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../src/index';
import { recordingLogger } from './helpers/recording-logger';

// fromEndpointConfig takes an EndpointConfig (loadEndpoints, toEndpointConfig) or the section as
// written in endpoints.yml. A flat section used to be read for its url alone: port, credentials,
// queues, exchange and TLS keys were dropped without a word.

async function errorOf(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
  return error as ConfigError;
}

describe('a flat event_broker section, given straight to the pika classes', () => {
  it('PikaEventBroker.fromEndpointConfig keeps the port, the user and every other key', async () => {
    const port = await closedPort();
    const logger = recordingLogger();
    const broker = await PikaEventBroker.fromEndpointConfig(
      {
        type: 'pika',
        url: '127.0.0.1',
        port,
        username: 'flat-user',
        password: 'flat-password',
        queues: ['flat-queue'],
        exchange_name: 'flat-exchange',
        startup: 'buffer',
        qeueus: ['typo'],
      },
      { logger },
    );
    try {
      expect(broker.url).toBe(`amqp://flat-user@127.0.0.1:${port}`);
      expect(logger.warnings()).toContain(
        'The pika event broker ignores unknown setting(s) event_broker.qeueus; check the spelling',
      );
    } finally {
      await broker.close({ timeout: 0 });
    }
  });

  it('PikaEventBroker.fromEndpointConfig reads the TLS keys of a flat section', async () => {
    const error = await errorOf(() =>
      PikaEventBroker.fromEndpointConfig({
        url: '127.0.0.1',
        ssl_cafile: '/nonexistent/ca.pem',
        startup: 'buffer',
      }),
    );
    expect(error.key).toBe('event_broker.ssl_cafile');
  });

  it('PikaMessageSource.fromEndpointConfig keeps the queue and the port', async () => {
    const port = await closedPort();
    const source = PikaMessageSource.fromEndpointConfig({ url: '127.0.0.1', port, queues: ['flat-queue'] });
    expect(source.description).toBe(`queue flat-queue on amqp://guest@127.0.0.1:${port}`);
  });

  it('a value that mixes both shapes is a ConfigError, not a guess', async () => {
    const config = { ...toEndpointConfig({ url: '127.0.0.1' }), queues: ['lost'] };
    expect((await errorOf(() => PikaEventBroker.fromEndpointConfig(config))).message).toContain(
      'queues is not a field of an EndpointConfig',
    );
    expect(() => PikaMessageSource.fromEndpointConfig(config)).toThrow(
      'queues is not a field of an EndpointConfig',
    );
  });
});

describe('unknown constructor options are warned about, as unknown YAML keys are', () => {
  it('new PikaMessageSource({...}): a misspelled option', () => {
    const logger = recordingLogger();
    new PikaMessageSource({ host: '127.0.0.1', logger, ...({ qeueu: 'mine' } as Record<string, unknown>) });
    expect(logger.warnings()).toContain(
      'PikaMessageSource ignores unknown setting(s) PikaMessageSource options.qeueu; check the spelling',
    );
  });
});
