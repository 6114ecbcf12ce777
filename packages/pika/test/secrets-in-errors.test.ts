import { inspect } from 'node:util';
import { BrokerError, toEndpointConfig } from '@broker/core';
import { closedPort } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../src/index';

const SECRET = 'Tr0ub4dor-S3cret';

/** Everything reachable from the error, as a log or a debugger would show it. */
function everything(error: unknown): string {
  return `${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}\n${JSON.stringify(error)}`;
}

async function failure(section: Record<string, unknown>): Promise<unknown> {
  const config = toEndpointConfig({ type: 'pika', ...section }, 'event_broker', '/srv/endpoints.yml');
  const error = await PikaEventBroker.fromEndpointConfig(config).then(
    async (broker) => {
      await broker.close({ timeout: 0 });
      throw new Error('expected the broker to fail');
    },
    (caught: unknown) => caught,
  );
  expect(BrokerError.isInstance(error), `expected a BrokerError, got ${String(error)}`).toBe(true);
  return error;
}

describe('no secret is reachable from a pika error object', () => {
  it.each([
    ['credentials in a url without scheme', { url: `bob:${SECRET}@rabbit` }],
    ['credentials in a url with a port', { url: `bob:${SECRET}@rabbit:5672` }],
    ['a url with a wrong scheme', { url: `http://bob:${SECRET}@rabbit` }],
    ['a url with a vhost of two segments', { url: `amqp://bob:${SECRET}@rabbit/a/b` }],
    ['a bad query value next to a password', { url: `amqp://bob:${SECRET}@rabbit?heartbeat=x` }],
    ['a secret-looking query parameter', { url: `amqp://rabbit?heartbeat=x&password=${SECRET}` }],
    ['a password that is not a string', { url: 'rabbit', password: [SECRET] }],
  ])('%s', async (_, section) => {
    expect(everything(await failure(section))).not.toContain(SECRET);
  });

  it('a connection that is refused, with the password in the URL and in the key', async () => {
    const port = await closedPort();
    for (const section of [
      { url: `amqp://bob:${SECRET}@127.0.0.1:${port}` },
      { url: '127.0.0.1', port, username: 'bob', password: SECRET },
    ]) {
      const error = await failure({ ...section, connection_attempts: 1, retry_delay_in_seconds: 0 });
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect(everything(error)).not.toContain(SECRET);
    }
  });

  it('the message source reads the same settings with the same care', () => {
    let caught: unknown;
    try {
      PikaMessageSource.fromEndpointConfig(toEndpointConfig({ url: `bob:${SECRET}@rabbit` }));
    } catch (error) {
      caught = error;
    }
    expect(BrokerError.isInstance(caught)).toBe(true);
    expect(everything(caught)).not.toContain(SECRET);
  });
});
