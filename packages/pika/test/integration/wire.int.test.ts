import {
  ConfigError,
  DeliveryFailedError,
  PublishError,
  serialiseEvent,
  slotSet,
  toEndpointConfig,
  type UndeliveredEvent,
} from '@broker/core';
import { SAMPLE_EVENTS } from '@broker/core/testing';
import { requireRabbitMq } from 'broker-test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker, type PikaEventBrokerOptions } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

let url: string;
let reader: AmqpReader;
const cleanup: { queues: string[]; exchanges: string[]; brokers: PikaEventBroker[] } = {
  queues: [],
  exchanges: [],
  brokers: [],
};

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  reader = await AmqpReader.open(url);
});

afterEach(async () => {
  for (const broker of cleanup.brokers.splice(0)) await broker.close({ timeout: 2000 });
  await reader.remove(cleanup.queues.splice(0), cleanup.exchanges.splice(0));
});

afterAll(async () => {
  await reader?.close();
});

/** A broker on fresh names; the queues are declared by the broker itself, not by the test. */
function freshBroker(options: Partial<PikaEventBrokerOptions> = {}, queueCount = 1) {
  const queues = Array.from({ length: queueCount }, () => uniqueName('wire'));
  const exchange = uniqueName('wire-exchange');
  cleanup.queues.push(...queues);
  cleanup.exchanges.push(exchange);
  const broker = new PikaEventBroker({ host: url, queues, exchangeName: exchange, ...options });
  cleanup.brokers.push(broker);
  return { broker, queues, exchange, queue: queues[0]! };
}

function withRasaEnvironment<T>(value: string | undefined, run: () => T): T {
  const before = process.env.RASA_ENVIRONMENT;
  if (value === undefined) delete process.env.RASA_ENVIRONMENT;
  else process.env.RASA_ENVIRONMENT = value;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.RASA_ENVIRONMENT;
    else process.env.RASA_ENVIRONMENT = before;
  }
}

describe('messages on the wire, as Rasa 3.x publishes them', () => {
  it('every event type: body byte-equal to serialiseEvent, persistent, app_id, no content type, id or headers', async () => {
    const { broker, queue, exchange } = withRasaEnvironment('production', () => freshBroker());
    await broker.connect();
    for (const event of SAMPLE_EVENTS) broker.publish({ sender_id: 'wire-user', ...event });
    await broker.flush(20_000);
    const messages = await reader.consume(queue, SAMPLE_EVENTS.length, 20_000);
    expect(messages.map((m) => m.content.toString('utf8'))).toEqual(
      SAMPLE_EVENTS.map((event) => serialiseEvent('wire-user', event)),
    );
    for (const message of messages) {
      expect(message.fields).toMatchObject({ exchange, routingKey: '' });
      expect(message.properties).toMatchObject({
        deliveryMode: 2,
        appId: 'production',
        contentType: undefined,
        contentEncoding: undefined,
        messageId: undefined,
        timestamp: undefined,
        type: undefined,
        correlationId: undefined,
      });
      // amqplib always writes a headers table; for live events it is empty.
      expect(message.properties.headers ?? {}).toEqual({});
    }
  });

  it('has no app_id when RASA_ENVIRONMENT is unset', async () => {
    const { broker, queue } = withRasaEnvironment(undefined, () => freshBroker());
    broker.publish({ sender_id: 'env', ...slotSet('a', 1) });
    await broker.flush(10_000);
    const [message] = await reader.consume(queue, 1, 10_000);
    expect(message!.properties.appId).toBeUndefined();
  });

  it('sets headers only when publish is given them (the export header)', async () => {
    const { broker, queue } = freshBroker();
    broker.publish(
      { sender_id: 'export', ...slotSet('a', 1) },
      { headers: { 'rasa-export-process-id': 'f3a9c0d1' } },
    );
    broker.publish({ sender_id: 'export', ...slotSet('a', 2) });
    await broker.flush(10_000);
    const [exported, live] = await reader.consume(queue, 2, 10_000);
    expect(exported!.properties.headers).toEqual({ 'rasa-export-process-id': 'f3a9c0d1' });
    expect(live!.properties.headers ?? {}).toEqual({});
  });

  it('adds content_type and a message id only when asked; ids differ per event', async () => {
    const { broker, queue } = freshBroker({ contentType: 'application/json', messageId: true });
    for (let i = 0; i < 3; i++) broker.publish({ sender_id: 'ids', ...slotSet('i', i) });
    await broker.flush(10_000);
    const messages = await reader.consume(queue, 3, 10_000);
    expect(messages.map((m) => m.properties.contentType)).toEqual(Array(3).fill('application/json'));
    const ids = messages.map((m) => m.properties.messageId as string);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}-\d+$/);
  });
});

describe('topology, as Rasa declares it', () => {
  it('a fanout exchange (durable=false, auto_delete=false), durable queues, each bound with routing key ""', async () => {
    const { broker, queues, exchange } = freshBroker({}, 2);
    await broker.connect();
    // Redeclaring with the same flags succeeds; any other flag is a PRECONDITION_FAILED (406).
    expect(
      await reader.safely((c) => c.assertExchange(exchange, 'fanout', { durable: false })),
    ).toBeUndefined();
    expect((await reader.safely((c) => c.assertExchange(exchange, 'fanout', { durable: true })))?.code).toBe(
      406,
    );
    expect((await reader.safely((c) => c.assertExchange(exchange, 'direct', { durable: false })))?.code).toBe(
      406,
    );
    expect(
      (await reader.safely((c) => c.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true })))
        ?.code,
    ).toBe(406);
    for (const queue of queues) {
      expect(await reader.safely((c) => c.assertQueue(queue, { durable: true }))).toBeUndefined();
      expect((await reader.safely((c) => c.assertQueue(queue, { durable: false })))?.code).toBe(406);
    }
    // Bound: one publish reaches every queue, with routing key "".
    broker.publish({ sender_id: 'fanout', ...slotSet('a', 1) });
    await broker.flush(10_000);
    for (const queue of queues) {
      const [message] = await reader.consume(queue, 1, 10_000);
      expect(message!.fields.routingKey).toBe('');
    }
  });

  it('shares an exchange a Rasa server declared (same flags, no PRECONDITION_FAILED)', async () => {
    const queue = uniqueName('shared');
    const exchange = uniqueName('shared-exchange');
    cleanup.queues.push(queue);
    cleanup.exchanges.push(exchange);
    await reader.channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
    const broker = new PikaEventBroker({ host: url, queues: [queue], exchangeName: exchange });
    cleanup.brokers.push(broker);
    await broker.connect();
    expect(broker.isReady()).toBe(true);
  });

  it('refuses, without retrying, an exchange declared with other flags, naming exchange_name', async () => {
    const exchange = uniqueName('durable-exchange');
    cleanup.exchanges.push(exchange);
    await reader.channel.assertExchange(exchange, 'fanout', { durable: true });
    const config = toEndpointConfig({
      url,
      exchange_name: exchange,
      queues: [uniqueName('q')],
      connection_attempts: 20,
    });
    const started = Date.now();
    const error = await PikaEventBroker.fromEndpointConfig(config).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).key).toBe('event_broker.exchange_name');
    expect((error as Error).message).toMatch(/PRECONDITION_FAILED.*cannot be redeclared/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('queue_arguments reach the declaration (a quorum queue)', async () => {
    const { broker, queue } = freshBroker({ queueArguments: { 'x-queue-type': 'quorum' } });
    broker.publish({ sender_id: 'quorum', ...slotSet('a', 1) });
    await broker.flush(20_000);
    expect(
      (
        await reader.safely((c) =>
          c.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } }),
        )
      )?.code,
    ).toBe(406);
    expect(await reader.consume(queue, 1, 10_000)).toHaveLength(1);
  });

  it('passive_queues: checks instead of declaring, and names the setting when a queue is missing', async () => {
    const queue = uniqueName('passive');
    const exchange = uniqueName('passive-exchange');
    cleanup.queues.push(queue);
    cleanup.exchanges.push(exchange);
    const config = toEndpointConfig({ url, queues: [queue], exchange_name: exchange, passive_queues: true });
    const error = await PikaEventBroker.fromEndpointConfig(config).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).key).toMatch(/event_broker\.passive_queues/);
    expect((error as Error).message).toMatch(/NOT_FOUND - no queue/);
    // An operator declares it (with arguments the broker does not know about): now it works.
    await reader.channel.assertQueue(queue, { durable: true, arguments: { 'x-max-length': 1000 } });
    const broker = await PikaEventBroker.fromEndpointConfig(config);
    cleanup.brokers.push(broker);
    broker.publish({ sender_id: 'passive', ...slotSet('a', 1) });
    await broker.flush(10_000);
    expect(await reader.consume(queue, 1, 10_000)).toHaveLength(1);
  });
});

describe('refusals are never silent', () => {
  it('a message returned as unroutable (its queue was deleted) fails, counted and reported', async () => {
    const { broker, queue } = freshBroker();
    await broker.connect();
    await reader.channel.deleteQueue(queue);
    const undelivered: [UndeliveredEvent[], unknown][] = [];
    broker.on('undelivered', (events, error) => undelivered.push([events, error]));
    broker.on('error', () => undefined);
    broker.publish({ sender_id: 'lost', ...slotSet('a', 1) });
    await expect(broker.flush(10_000)).rejects.toSatisfy((e: unknown) => DeliveryFailedError.isInstance(e));
    expect(broker.stats()).toMatchObject({ published: 1, failed: 1, confirmed: 0, pending: 0 });
    expect(undelivered).toHaveLength(1);
    expect(PublishError.isInstance(undelivered[0]![1])).toBe(true);
    expect((undelivered[0]![1] as Error).message).toMatch(
      /returned 1 event\(s\) as unroutable \(312 NO_ROUTE\)/,
    );
  });

  it('nacked messages are re-sent, then fail for good, counted and reported', async () => {
    // A queue that refuses publishes beyond 2 messages: RabbitMQ nacks the rest.
    const { broker, queue } = freshBroker({
      queueArguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' },
    });
    const undelivered: UndeliveredEvent[] = [];
    broker.on('undelivered', (events) => undelivered.push(...events));
    broker.on('error', () => undefined);
    for (let i = 0; i < 5; i++) broker.publish({ sender_id: 'full', ...slotSet('i', i) });
    await expect(broker.flush(30_000)).rejects.toSatisfy((e: unknown) => DeliveryFailedError.isInstance(e));
    const stats = broker.stats();
    expect(stats).toMatchObject({ published: 5, confirmed: 2, failed: 3, pending: 0 });
    expect(stats.resent).toBeGreaterThanOrEqual(3 * 5);
    expect(undelivered.map((u) => JSON.parse(u.body).value)).toEqual([2, 3, 4]);
    expect(await reader.messageCount(queue)).toBe(2);
  });
});

describe('publisher confirms: a window, not one at a time', () => {
  it('with confirmWindow 8, 500 events go out with more than one and never more than 8 unconfirmed, all confirmed', async () => {
    const window = 8;
    const total = 500;
    const { broker, queue } = freshBroker({ confirmWindow: window });
    await broker.connect();
    // Look at the counters on every turn of the event loop while the stream is in flight
    // (the broker refills the window in a microtask after each ack, so a turn sees its high-water mark).
    const inFlight: number[] = [];
    let sampling = true;
    const sample = () => {
      const stats = broker.stats();
      inFlight.push(stats.inFlight);
      if (stats.confirmed >= total) sampling = false;
      if (sampling) setImmediate(sample);
    };
    setImmediate(sample);
    for (let i = 0; i < total; i++) broker.publish({ sender_id: 'window', ...slotSet('i', i) });
    try {
      await broker.flush(30_000);
    } finally {
      sampling = false;
    }
    const highWater = Math.max(...inFlight);
    const seen = new Map<number, number>();
    for (const n of inFlight) seen.set(n, (seen.get(n) ?? 0) + 1);
    const histogram = [...seen].sort(([a], [b]) => a - b).map(([n, times]) => `${n} in flight x${times}`);
    expect(inFlight.length).toBeGreaterThan(10);
    expect(highWater, histogram.join(', ')).toBeGreaterThan(1);
    expect(highWater, histogram.join(', ')).toBeLessThanOrEqual(window);
    expect(broker.stats()).toMatchObject({
      published: total,
      confirmed: total,
      pending: 0,
      inFlight: 0,
      failed: 0,
      dropped: 0,
      resent: 0,
    });
    const messages = await reader.consume(queue, total, 20_000);
    expect(messages.map((m) => JSON.parse(m.content.toString('utf8')).value)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });
});
