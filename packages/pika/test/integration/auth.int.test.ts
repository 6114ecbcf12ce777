import { inspect } from 'node:util';
import {
  AccessRefusedError,
  AuthenticationError,
  type BrokerError,
  slotSet,
  toEndpointConfig,
} from '@broker/core';
import { type FaultRabbitMq, requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../../src/index';
import { recordingLogger } from '../helpers/recording-logger';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

// Credentials and vhosts on the `fault` node: user `limited` exists without permissions on `/`,
// vhost `broker-test` exists (guest has full access). None of these failures may retry.

let fault: FaultRabbitMq;
const leftovers: { url: string; queue: string; exchange: string }[] = [];

beforeAll(async () => {
  fault = await requireRabbitMq('fault', { timeoutMs: 30_000 });
});

afterAll(async () => {
  for (const { url, queue, exchange } of leftovers) {
    const reader = await AmqpReader.open(url);
    await reader.remove([queue], [exchange]);
    await reader.close();
  }
});

/** Everything reachable from an error (message, stack, causes, details), as a log or a debugger shows it. */
function everything(error: unknown): string {
  return inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true });
}

/** Builds a broker Rasa-style (startup: wait, 20 attempts 5 s apart) and returns how it failed and how long it took. */
async function failure(
  values: Record<string, unknown>,
): Promise<{ error: BrokerError; ms: number; logs: string }> {
  const logger = recordingLogger();
  const started = Date.now();
  const config = toEndpointConfig({
    queues: [uniqueName('auth')],
    exchange_name: uniqueName('auth-x'),
    ...values,
  });
  const error = await PikaEventBroker.fromEndpointConfig(config, { logger }).then(
    (broker) => {
      void broker.close();
      throw new Error('expected the broker to fail');
    },
    (caught: BrokerError) => caught,
  );
  return { error, ms: Date.now() - started, logs: logger.text() };
}

describe('wrong credentials, unknown vhost, refused access: typed errors, no retry storm', () => {
  it('a wrong password is an AuthenticationError at once (no 20 x 5 s retries), and never logged', async () => {
    const { error, ms, logs } = await failure({
      url: fault.host,
      port: fault.port,
      username: fault.username,
      password: 'not-the-password',
    });
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.canRetry).toBe(false);
    expect(error.message).toMatch(/refused the login.*ACCESS_REFUSED.*check the username and password/);
    expect(error.message).toContain(`amqp://guest@${fault.host}:${fault.port}`);
    expect(ms).toBeLessThan(4000);
    expect(`${everything(error)}\n${logs}`).not.toContain('not-the-password');
  });

  it('the same through a URL with the password in it: the URL is censored everywhere', async () => {
    const { error, logs } = await failure({ url: `amqp://guest:wrong-secret@${fault.host}:${fault.port}` });
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(`${everything(error)}\n${logs}`).not.toContain('wrong-secret');
  });

  it('a user without permissions on the vhost gets an AccessRefusedError', async () => {
    const { error, ms } = await failure({ url: fault.limitedUser.url });
    expect(AccessRefusedError.isInstance(error)).toBe(true);
    expect(error.canRetry).toBe(false);
    expect(error.message).toMatch(/refused to open the virtual host '\/' for user 'limited'/);
    expect(error.message).not.toContain(fault.limitedUser.password);
    expect(ms).toBeLessThan(4000);
  });

  it('an unknown vhost gets an AccessRefusedError that says so', async () => {
    const { error } = await failure({
      url: `amqp://${fault.host}:${fault.port}/no-such-vhost`,
      username: 'guest',
    });
    expect(AccessRefusedError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /refused to open the virtual host 'no-such-vhost' for user 'guest'.*does not exist/,
    );
  });

  it('a URL with a vhost works (Rasa 3.0-3.4 dropped the vhost)', async () => {
    const queue = uniqueName('vhost');
    const exchange = uniqueName('vhost-x');
    leftovers.push({ url: fault.vhostUrl, queue, exchange });
    const broker = await PikaEventBroker.fromEndpointConfig(
      toEndpointConfig({ url: `${fault.vhostUrl}?heartbeat=5`, queues: [queue], exchange_name: exchange }),
    );
    broker.publish({ sender_id: 'vhost', ...slotSet('a', 1) });
    await broker.flush(10_000);
    await broker.close();
    const reader = await AmqpReader.open(fault.vhostUrl);
    expect(await reader.messageCount(queue)).toBe(1);
    await reader.close();
  });

  it('the message source ends consume with the typed error instead of reconnecting', async () => {
    const source = new PikaMessageSource({
      host: fault.host,
      port: fault.port,
      username: 'guest',
      password: 'nope',
      queue: uniqueName('auth-source'),
    });
    const started = Date.now();
    await expect(
      source.consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal }),
    ).rejects.toSatisfy((error: unknown) => AuthenticationError.isInstance(error));
    expect(Date.now() - started).toBeLessThan(4000);
    await source.close();
  });
});
