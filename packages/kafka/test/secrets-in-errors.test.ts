import { inspect } from 'node:util';
import { BrokerError, toEndpointConfig } from '@broker/core';
import { closedPort } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { KafkaEventBroker, KafkaMessageSource } from '../src/index';

const SECRET = 'Tr0ub4dor-S3cret';

/** Everything reachable from the error, as a log or a debugger would show it. */
function everything(error: unknown): string {
  return `${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}\n${JSON.stringify(error)}`;
}

async function failure(section: Record<string, unknown>): Promise<unknown> {
  const config = toEndpointConfig(
    { type: 'kafka', topic: 't', ...section },
    'event_broker',
    '/srv/endpoints.yml',
  );
  const error = await KafkaEventBroker.fromEndpointConfig(config).then(
    async (broker) => {
      await broker.close({ timeout: 0 });
      throw new Error('expected the broker to fail');
    },
    (caught: unknown) => caught,
  );
  expect(BrokerError.isInstance(error), `expected a BrokerError, got ${String(error)}`).toBe(true);
  return error;
}

describe('no secret is reachable from a kafka error object', () => {
  it.each([
    ['credentials in a broker address', { url: `bob:${SECRET}@kafka:9092` }],
    ['credentials in a broker URL', { url: `sasl://bob:${SECRET}@kafka:99999` }],
    [
      'a SASL password without a user',
      { url: 'kafka:9092', security_protocol: 'SASL_PLAINTEXT', sasl_password: SECRET },
    ],
    [
      'a SASL password that is not a string',
      { url: 'kafka:9092', sasl_username: 'u', sasl_password: [SECRET] },
    ],
  ])('%s', async (_, section) => {
    expect(everything(await failure(section))).not.toContain(SECRET);
  });

  it('a connection that is refused, with a SASL password', async () => {
    const error = await failure({
      url: `127.0.0.1:${await closedPort()}`,
      security_protocol: 'SASL_PLAINTEXT',
      sasl_mechanism: 'PLAIN',
      sasl_username: 'bob',
      sasl_password: SECRET,
      startup: 'wait',
      startup_timeout_ms: 500,
    });
    expect((error as Error).message).toContain('was not ready within 500 ms');
    expect(everything(error)).not.toContain(SECRET);
  });

  it('the message source reads the same settings with the same care', () => {
    let caught: unknown;
    try {
      KafkaMessageSource.fromEndpointConfig(
        toEndpointConfig({ url: `bob:${SECRET}@kafka:9092`, topic: 't' }),
      );
    } catch (error) {
      caught = error;
    }
    expect(BrokerError.isInstance(caught)).toBe(true);
    expect(everything(caught)).not.toContain(SECRET);
  });
});
