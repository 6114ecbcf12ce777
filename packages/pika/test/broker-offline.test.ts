import { createServer, type Server, type Socket } from 'node:net';
import {
  BrokerClosedError,
  BufferOverflowError,
  ConnectionError,
  DeliveryFailedError,
  MessageTooLargeError,
  PublishError,
  serialiseEvent,
  slotSet,
  toEndpointConfig,
  type UndeliveredEvent,
} from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker } from '../src/index';
import { recordingLogger } from './helpers/recording-logger';

// Behaviour while RabbitMQ cannot be reached, against local sockets that refuse or stall:
// no broker needed. The same paths against a real, stopped RabbitMQ node are in the fault tests.

const PASSWORD = 'p@ss-do-not-log';
let refusedPort: number;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  const probe = createServer();
  refusedPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  // Accepts TCP and never answers the AMQP handshake.
  silent = createServer((socket) => sockets.push(socket));
  silentPort = await listen(silent);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

const event = (i: number) => ({ sender_id: 'offline', ...slotSet('i', i, { timestamp: 1 + i }) });

function endpoint(extra: Record<string, unknown>) {
  return toEndpointConfig(
    { type: 'pika', url: '127.0.0.1', port: refusedPort, username: 'bob', password: PASSWORD, ...extra },
    'event_broker',
    '/srv/endpoints.yml',
  );
}

describe('startup: wait (Rasa)', () => {
  it('gives up after connection_attempts with a ConnectionError, and the broker is failed', async () => {
    const logger = recordingLogger();
    const started = Date.now();
    const attempt = PikaEventBroker.fromEndpointConfig(
      endpoint({ connection_attempts: 3, retry_delay_in_seconds: 0.05 }),
      { logger },
    );
    const error = await attempt.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).message).toMatch(/after 3 attempt\(s\), 0\.05 s apart.*ECONNREFUSED/);
    expect((error as ConnectionError).message).toContain(`amqp://bob@127.0.0.1:${refusedPort}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(logger.text()).not.toContain(PASSWORD);
  });

  it('a broker built in code fails the same way, and the next publish tries again (the error is retryable)', async () => {
    const broker = new PikaEventBroker({
      host: '127.0.0.1',
      port: refusedPort,
      connectionAttempts: 2,
      retryDelayInSeconds: 0,
    });
    const undelivered: UndeliveredEvent[] = [];
    broker.on('undelivered', (events) => undelivered.push(...events));
    const errors: unknown[] = [];
    broker.on('error', (error) => errors.push(error));
    broker.publish(event(1));
    await expect(broker.flush(5000)).rejects.toSatisfy((e: unknown) => DeliveryFailedError.isInstance(e));
    expect(broker.state).toBe('failed');
    expect(undelivered).toEqual([expect.objectContaining({ senderId: 'offline', reason: 'failed' })]);
    expect(ConnectionError.isInstance(errors.at(-1))).toBe(true);
    // RabbitMQ may be back by now: the broker connects again instead of refusing for ever.
    broker.publish(event(2));
    expect(broker.state).toBe('connecting');
    await expect(broker.flush(5000)).rejects.toSatisfy((e: unknown) => DeliveryFailedError.isInstance(e));
    const report = await broker.close();
    expect(report.undelivered.map((u) => [JSON.parse(u.body).value, u.reason])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
  });

  it('times out a broker that accepts TCP but never speaks AMQP (connection_timeout, ms)', async () => {
    const error = await PikaEventBroker.fromEndpointConfig(
      toEndpointConfig({
        url: `amqp://127.0.0.1:${silentPort}?connection_timeout=150`,
        connection_attempts: 1,
      }),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not complete the connection handshake in time/);
  });
});

describe('startup: buffer', () => {
  it('returns at once, buffers, and close reports what it could not deliver', async () => {
    const logger = recordingLogger();
    const broker = await PikaEventBroker.fromEndpointConfig(endpoint({ startup: 'buffer' }), { logger });
    expect(broker.isReady()).toBe(false);
    for (let i = 0; i < 5; i++) broker.publish(event(i));
    expect(broker.stats()).toMatchObject({ published: 5, pending: 5, confirmed: 0 });
    const report = await broker.close({ timeout: 100 });
    expect(report.undelivered.map((u) => JSON.parse(u.body).value)).toEqual([0, 1, 2, 3, 4]);
    expect(report.undelivered.every((u) => u.reason === 'close-timeout')).toBe(true);
    expect(report.stats).toMatchObject({ published: 5, confirmed: 0, dropped: 5, pending: 0 });
    expect(logger.text()).toMatch(/cannot connect to RabbitMQ \(attempt 1\).*retrying/);
    expect(logger.text()).not.toContain(PASSWORD);
  });

  it('buffer_overflow: reject refuses the event that does not fit, with a typed error', async () => {
    const broker = await PikaEventBroker.fromEndpointConfig(
      endpoint({ startup: 'buffer', buffer_max_events: 3, buffer_overflow: 'reject' }),
    );
    for (let i = 0; i < 3; i++) broker.publish(event(i));
    let caught: unknown;
    try {
      broker.publish(event(3));
    } catch (error) {
      caught = error;
    }
    expect(BufferOverflowError.isInstance(caught)).toBe(true);
    expect((caught as BufferOverflowError).message).toMatch(/maxEvents 3.*overflow 'reject'/);
    expect(broker.stats()).toMatchObject({ published: 3, pending: 3, dropped: 0 });
    await broker.close({ timeout: 0 });
  });

  it('buffer_overflow: drop-oldest drops, counts, logs and reports the oldest events', async () => {
    const logger = recordingLogger();
    const broker = await PikaEventBroker.fromEndpointConfig(
      endpoint({ startup: 'buffer', buffer_max_events: 3, buffer_overflow: 'drop-oldest' }),
      { logger },
    );
    const dropped: UndeliveredEvent[] = [];
    broker.on('undelivered', (events) => dropped.push(...events));
    for (let i = 0; i < 5; i++) broker.publish(event(i));
    expect(broker.stats()).toMatchObject({ published: 5, pending: 3, dropped: 2 });
    expect(dropped.map((d) => [JSON.parse(d.body).value, d.reason])).toEqual([
      [0, 'dropped'],
      [1, 'dropped'],
    ]);
    expect(logger.warnings().join('\n')).toMatch(/publish buffer full: dropped the oldest 1 event/);
    const report = await broker.close({ timeout: 0 });
    // The dropped events first, then those the close timeout left.
    expect(report.undelivered.map((u) => [JSON.parse(u.body).value, u.reason])).toEqual([
      [0, 'dropped'],
      [1, 'dropped'],
      [2, 'close-timeout'],
      [3, 'close-timeout'],
      [4, 'close-timeout'],
    ]);
    expect(report.undeliveredOmitted).toBe(0);
    expect(report.stats.dropped).toBe(5);
  });

  it('buffer_max_bytes bounds the buffer by size', async () => {
    const big = (i: number) => ({
      sender_id: 'offline',
      ...slotSet('i', 'x'.repeat(600), { timestamp: 1 + i }),
    });
    const size = Buffer.byteLength(
      serialiseEvent('offline', slotSet('i', 'x'.repeat(600), { timestamp: 1 })),
    );
    const broker = await PikaEventBroker.fromEndpointConfig(
      endpoint({ startup: 'buffer', buffer_max_bytes: size * 2 + 10 }),
    );
    broker.publish(big(0));
    broker.publish(big(1));
    expect(() => broker.publish(big(2))).toThrow(/maxBytes/);
    expect(broker.stats()).toMatchObject({ published: 2, rejected: 1 });
    await broker.close({ timeout: 0 });
  });
});

describe('should_keep_unpublished_messages / raise_on_failure', () => {
  it('false: an event accepted while disconnected fails at once, counted and reported', async () => {
    const broker = await PikaEventBroker.fromEndpointConfig(
      endpoint({ startup: 'buffer', should_keep_unpublished_messages: false }),
    );
    const undelivered: [UndeliveredEvent[], unknown][] = [];
    broker.on('undelivered', (events, error) => undelivered.push([events, error]));
    broker.on('error', () => undefined);
    broker.publish(event(1));
    expect(broker.stats()).toMatchObject({ published: 1, failed: 1, pending: 0 });
    expect(undelivered).toHaveLength(1);
    expect(undelivered[0]![0]).toEqual([expect.objectContaining({ reason: 'failed' })]);
    const error = undelivered[0]![1] as PublishError;
    expect(PublishError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/event_broker\.should_keep_unpublished_messages is false/);
    expect(broker.state).not.toBe('failed');
    await broker.close({ timeout: 0 });
  });

  it('raise_on_failure: the first event that cannot be delivered stops the broker', async () => {
    const broker = await PikaEventBroker.fromEndpointConfig(
      endpoint({ startup: 'buffer', should_keep_unpublished_messages: false, raise_on_failure: true }),
    );
    const errors: unknown[] = [];
    broker.on('error', (error) => errors.push(error));
    broker.publish(event(1));
    expect(broker.state).toBe('failed');
    expect(errors.some((e) => (e as Error).message.includes('raise_on_failure is true'))).toBe(true);
    expect(() => broker.publish(event(2))).toThrow(BrokerClosedError);
  });
});

describe('publish', () => {
  it('refuses a body over 16 MiB before it reaches RabbitMQ', async () => {
    const broker = new PikaEventBroker({ host: '127.0.0.1', port: refusedPort, startup: 'buffer' });
    const huge = { sender_id: 'big', ...slotSet('blob', 'x'.repeat(16 * 1024 * 1024)) };
    let caught: unknown;
    try {
      broker.publish(huge);
    } catch (error) {
      caught = error;
    }
    expect(MessageTooLargeError.isInstance(caught)).toBe(true);
    expect(broker.stats().published).toBe(0);
    await broker.close({ timeout: 0 });
  });
});
