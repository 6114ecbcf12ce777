import { ConfigError, type SourceMessage, serialiseEvent, slotSet, toEndpointConfig } from '@broker/core';
import {
  closeRabbitConnections,
  type FaultRabbitMq,
  type MainRabbitMq,
  requireRabbitMq,
} from 'broker-test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

let main: MainRabbitMq;
let fault: FaultRabbitMq;
const cleanup: { url: string; queues: string[]; exchanges: string[] }[] = [];
const running: { source: PikaMessageSource; controller: AbortController; consuming: Promise<void> }[] = [];

beforeAll(async () => {
  main = await requireRabbitMq('main');
  fault = await requireRabbitMq('fault', { timeoutMs: 30_000 });
});

afterEach(async () => {
  for (const { source, controller, consuming } of running.splice(0)) {
    controller.abort();
    await consuming.catch(() => undefined);
    await source.close();
  }
});

afterAll(async () => {
  for (const { url, queues, exchanges } of cleanup) {
    const reader = await AmqpReader.open(url);
    await reader.remove(queues, exchanges);
    await reader.close();
  }
});

function topology(url: string) {
  const queue = uniqueName('source');
  const exchange = uniqueName('source-x');
  cleanup.push({ url, queues: [queue], exchanges: [exchange] });
  return { queue, exchange };
}

/** Messages as they arrive, with a way to wait for the n-th. */
class Inbox {
  readonly messages: SourceMessage[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly push = (message: SourceMessage): void => {
    this.messages.push(message);
    for (const waiter of this.waiters.filter((w) => this.messages.length >= w.count)) waiter.resolve();
    this.waiters = this.waiters.filter((w) => this.messages.length < w.count);
  };

  until(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${this.messages.length} of ${count} messages in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

function start(source: PikaMessageSource, maxInFlight: number, onConsuming?: () => void): Inbox {
  const inbox = new Inbox();
  const controller = new AbortController();
  const consuming = source.consume(inbox.push, {
    maxInFlight,
    signal: controller.signal,
    ...(onConsuming ? { onConsuming } : {}),
  });
  running.push({ source, controller, consuming });
  return inbox;
}

async function publish(
  url: string,
  queue: string,
  exchange: string,
  count: number,
  headers?: Record<string, string>,
  messageId = false,
) {
  const broker = new PikaEventBroker({
    host: url,
    queues: [queue],
    exchangeName: exchange,
    appId: 'tests',
    messageId,
  });
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = slotSet('i', i, { timestamp: 1716801234 + i });
    bodies.push(serialiseEvent('source-user', event));
    broker.publish({ sender_id: 'source-user', ...event }, headers ? { headers } : {});
  }
  await broker.flush(10_000);
  await broker.close();
  return bodies;
}

describe('PikaMessageSource', () => {
  it('consumes a queue it declared itself before any producer ran; ack removes the message', async () => {
    const { queue, exchange } = topology(main.url);
    const source = PikaMessageSource.fromEndpointConfig(
      toEndpointConfig({ url: main.url, queues: [queue], exchange_name: exchange }),
    );
    expect(source.queue).toBe(queue);
    expect(source.deadLetterQueue).toBe(`${queue}.dead-letter`);
    const inbox = start(source, 10);
    // Let the source declare and bind before the first publish: wait until its queue exists.
    const reader = await AmqpReader.open(main.url);
    await expect.poll(async () => (await reader.safely((c) => c.checkQueue(queue))) === undefined).toBe(true);
    const bodies = await publish(main.url, queue, exchange, 3, { 'rasa-export-process-id': 'abc123' });
    await inbox.until(3);
    expect(inbox.messages.map((m) => m.body.toString('utf8'))).toEqual(bodies);
    const first = inbox.messages[0]!;
    expect(first.headers).toEqual({ 'rasa-export-process-id': 'abc123' });
    expect(first.redelivered).toBe(false);
    // No message_id property: nothing identifies the message but its delivery.
    expect(first.messageId).toBeUndefined();
    expect(first.key).toBeUndefined();
    expect(first.position).toMatch(new RegExp(`^${queue}#\\d+$`));
    expect(first.meta).toMatchObject({ queue, exchange, routingKey: '', appId: 'tests', deliveryMode: 2 });
    for (const message of inbox.messages) await message.settle({ outcome: 'ack' });
    await inbox.messages[0]!.settle({ outcome: 'ack' }); // twice: nothing happens
    expect(await reader.messageCount(queue)).toBe(0);
    await reader.close();
  });

  it('dead-letter: a copy with the reason goes to <queue>.dead-letter (confirmed), then the original is acked', async () => {
    const { queue, exchange } = topology(main.url);
    const source = new PikaMessageSource({ host: main.url, queues: [queue], exchangeName: exchange });
    const inbox = start(source, 5);
    const reader = await AmqpReader.open(main.url);
    await expect.poll(async () => (await reader.safely((c) => c.checkQueue(queue))) === undefined).toBe(true);
    const [body] = await publish(main.url, queue, exchange, 1, { 'rasa-export-process-id': 'exp-1' });
    await inbox.until(1);
    const message = inbox.messages[0]!;
    await message.settle({ outcome: 'dead-letter', reason: 'handler failed 3 times: boom' });
    expect(await reader.messageCount(queue)).toBe(0);
    const [dead] = await reader.drain(`${queue}.dead-letter`);
    expect(dead!.content.toString('utf8')).toBe(body);
    expect(dead!.properties).toMatchObject({ appId: 'tests', deliveryMode: 2 });
    expect(dead!.properties.headers).toEqual({
      'rasa-export-process-id': 'exp-1',
      'x-death-reason': 'handler failed 3 times: boom',
      'x-original-queue': queue,
      'x-original-position': message.position,
    });
    await reader.close();
  });

  it('prefetch = maxInFlight: no more than that many unsettled messages are delivered', async () => {
    const { queue, exchange } = topology(main.url);
    const reader = await AmqpReader.open(main.url);
    await publish(main.url, queue, exchange, 30);
    // Messages stay unsettled on purpose: do not wait for them when the test ends.
    const source = new PikaMessageSource({
      host: main.url,
      queues: [queue],
      exchangeName: exchange,
      stopTimeoutMs: 100,
    });
    const inbox = start(source, 5);
    await inbox.until(5);
    // Unacknowledged messages are not "ready": the 25 others wait in the queue.
    await expect.poll(() => reader.messageCount(queue)).toBe(25);
    expect(inbox.messages).toHaveLength(5);
    await inbox.messages[0]!.settle({ outcome: 'ack' });
    await inbox.until(6);
    await expect.poll(() => reader.messageCount(queue)).toBe(24);
    expect(inbox.messages).toHaveLength(6);
    await reader.close();
  });

  it('backlog(): the ready messages of the queue by a passive declare; unsettled deliveries are not counted', async () => {
    const { queue, exchange } = topology(main.url);
    await publish(main.url, queue, exchange, 30);
    const source = new PikaMessageSource({
      host: main.url,
      queues: [queue],
      exchangeName: exchange,
      stopTimeoutMs: 100,
    });
    expect(await source.backlog()).toEqual([{ destination: queue, messages: 30 }]);
    const inbox = start(source, 5);
    await inbox.until(5);
    await expect.poll(async () => (await source.backlog())[0]?.messages).toBe(25);
    await inbox.messages[0]!.settle({ outcome: 'ack' });
    await expect.poll(async () => (await source.backlog())[0]?.messages).toBe(24);
  });

  it('backlog() of a missing queue rejects naming it; a consumer on the same broker goes on undisturbed', async () => {
    const { queue, exchange } = topology(main.url);
    await publish(main.url, queue, exchange, 3);
    // Messages stay unsettled on purpose: do not wait for them when the test ends.
    const source = new PikaMessageSource({
      host: main.url,
      queues: [queue],
      exchangeName: exchange,
      stopTimeoutMs: 100,
    });
    const inbox = start(source, 10);
    await inbox.until(3);
    const other = uniqueName('missing');
    const probe = new PikaMessageSource({ host: main.url, queues: [other], exchangeName: exchange });
    await expect(probe.backlog()).rejects.toThrow(other);
    await probe.close();
    await publish(main.url, queue, exchange, 2);
    await inbox.until(5);
    expect(await source.backlog()).toEqual([{ destination: queue, messages: 0 }]);
  });

  it('onConnectionLost: called when the server closes the connection, before consuming starts again', async () => {
    const { queue, exchange } = topology(fault.url);
    await publish(fault.url, queue, exchange, 1);
    const calls: string[] = [];
    const source = new PikaMessageSource({
      host: fault.url,
      queues: [queue],
      exchangeName: exchange,
      stopTimeoutMs: 100,
    });
    const inbox = new Inbox();
    const controller = new AbortController();
    const consuming = source.consume(inbox.push, {
      maxInFlight: 10,
      signal: controller.signal,
      onConsuming: () => calls.push('consuming'),
      onConnectionLost: (error) => calls.push(`lost: ${error.name}`),
    });
    running.push({ source, controller, consuming });
    await inbox.until(1);
    await closeRabbitConnections('fault');
    await inbox.until(2, 30_000);
    expect(calls).toEqual(['consuming', 'lost: ConnectionError', 'consuming']);
  });

  it('redelivers what was not settled after the server closes the connection; settling old messages does nothing', async () => {
    const { queue, exchange } = topology(fault.url);
    await publish(fault.url, queue, exchange, 10);
    let consumingStarts = 0;
    const inbox = start(
      new PikaMessageSource({ host: fault.url, queues: [queue], exchangeName: exchange }),
      10,
      () => consumingStarts++,
    );
    await inbox.until(10);
    expect(consumingStarts).toBe(1);
    for (const message of inbox.messages.slice(0, 4)) await message.settle({ outcome: 'ack' });
    const unsettled = inbox.messages.slice(4);
    await closeRabbitConnections('fault');
    await inbox.until(16, 30_000);
    // onConsuming says so again once it consumes on the new connection.
    expect(consumingStarts).toBe(2);
    const again = inbox.messages.slice(10);
    expect(again.map((m) => m.body.toString('utf8'))).toEqual(unsettled.map((m) => m.body.toString('utf8')));
    expect(again.every((m) => m.redelivered)).toBe(true);
    // The old deliveries belong to a dead channel: settling them is a no-op, not an error.
    for (const message of unsettled) await message.settle({ outcome: 'ack' });
    for (const message of again) await message.settle({ outcome: 'ack' });
    const reader = await AmqpReader.open(fault.url);
    await expect.poll(() => reader.messageCount(queue)).toBe(0);
    await reader.close();
  });

  it('a missing passive queue ends consume with a ConfigError naming the setting', async () => {
    const { queue, exchange } = topology(main.url);
    const source = PikaMessageSource.fromEndpointConfig(
      toEndpointConfig({ url: main.url, queues: [queue], exchange_name: exchange, passive_queues: true }),
    );
    await expect(
      source.consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal }),
    ).rejects.toSatisfy(
      (error: unknown) => ConfigError.isInstance(error) && /passive_queues/.test(String(error.key)),
    );
    await source.close();
  });

  it('acks given while stopping reach RabbitMQ before the connection closes', async () => {
    const { queue, exchange } = topology(main.url);
    await publish(main.url, queue, exchange, 2000);
    const source = new PikaMessageSource({ host: main.url, queues: [queue], exchangeName: exchange });
    const inbox = new Inbox();
    const controller = new AbortController();
    const consuming = source.consume(inbox.push, { maxInFlight: 2000, signal: controller.signal });
    await inbox.until(2000);
    controller.abort();
    // All settled in one burst: the source may close right after the last one, while amqplib still queues acks.
    for (const message of inbox.messages) void message.settle({ outcome: 'ack' });
    await consuming;
    await source.close();
    const reader = await AmqpReader.open(main.url);
    expect(await reader.messageCount(queue)).toBe(0);
    await reader.close();
  });

  it('gives the producer message_id as messageId, the same when RabbitMQ delivers the message again', async () => {
    const { queue, exchange } = topology(main.url);
    const open = () =>
      new PikaMessageSource({ host: main.url, queues: [queue], exchangeName: exchange, stopTimeoutMs: 0 });
    // The first source declares the queue; it takes the messages and stops without settling them.
    const controller = new AbortController();
    const first = open();
    const inbox = new Inbox();
    const consuming = first.consume(inbox.push, { maxInFlight: 10, signal: controller.signal });
    const reader = await AmqpReader.open(main.url);
    await expect.poll(async () => (await reader.safely((c) => c.checkQueue(queue))) === undefined).toBe(true);
    await publish(main.url, queue, exchange, 2, undefined, true);
    await inbox.until(2);
    controller.abort();
    await consuming;
    await first.close();
    const again = start(open(), 10);
    await again.until(2);
    const ids = inbox.messages.map((m) => m.messageId);
    expect(ids.every((id) => /^amqp:.+-\d+$/.test(id ?? ''))).toBe(true);
    expect(new Set(ids).size).toBe(2);
    expect(again.messages.map((m) => [m.messageId, m.redelivered])).toEqual(ids.map((id) => [id, true]));
    for (const message of again.messages) await message.settle({ outcome: 'ack' });
    await reader.close();
  });

  it('exclusiveQueue: a server-named queue of its own gets every event and takes none from the shared queue', async () => {
    const { queue, exchange } = topology(main.url);
    const reader = await AmqpReader.open(main.url);
    await reader.declareBound(queue, exchange);
    const source = PikaMessageSource.fromEndpointConfig(
      toEndpointConfig({ url: main.url, queues: [queue], exchange_name: exchange }),
      { exclusiveQueue: true },
    );
    expect([source.queue, source.deadLetterQueue]).toEqual(['', undefined]);
    let consuming!: () => void;
    const bound = new Promise<void>((resolve) => (consuming = resolve));
    const inbox = start(source, 10, () => consuming());
    await bound;
    const bodies = await publish(main.url, queue, exchange, 3);
    await inbox.until(3);
    expect(inbox.messages.map((m) => m.body.toString('utf8'))).toEqual(bodies);
    const own = String(inbox.messages[0]!.meta.queue);
    expect(own).toMatch(/^amq\.gen-/);
    expect(inbox.messages[0]!.position).toBe(`${own}#1`);
    // The broker's queue keeps its copies for its own consumers.
    expect(await reader.messageCount(queue)).toBe(3);
    // Nothing is dead-lettered from an exclusive queue: giving up acknowledges, no queue is declared for it.
    await inbox.messages[0]!.settle({ outcome: 'dead-letter', reason: 'not for a viewer' });
    for (const message of inbox.messages.slice(1)) await message.settle({ outcome: 'ack' });
    expect((await reader.safely((c) => c.checkQueue(`${own}.dead-letter`)))?.code).toBe(404);
    expect((await reader.safely((c) => c.checkQueue(`${queue}.dead-letter`)))?.code).toBe(404);
    const { controller, consuming: done } = running.pop()!;
    controller.abort();
    await done;
    await source.close();
    // Exclusive: another connection may not even look at it (405) while it exists; auto-delete: it
    // went with the connection (404).
    expect((await reader.safely((c) => c.checkQueue(own)))?.code).toBe(404);
    await reader.close();
  });

  it('stops on abort: no new deliveries, and consume resolves once in-flight messages are settled', async () => {
    const { queue, exchange } = topology(main.url);
    await publish(main.url, queue, exchange, 3);
    const source = new PikaMessageSource({ host: main.url, queues: [queue], exchangeName: exchange });
    const inbox = new Inbox();
    const controller = new AbortController();
    let resolved = false;
    const consuming = source.consume(inbox.push, { maxInFlight: 3, signal: controller.signal }).then(() => {
      resolved = true;
    });
    await inbox.until(3);
    controller.abort();
    await inbox.messages[0]!.settle({ outcome: 'ack' });
    expect(resolved).toBe(false);
    await inbox.messages[1]!.settle({ outcome: 'ack' });
    await inbox.messages[2]!.settle({ outcome: 'ack' });
    await consuming;
    expect(resolved).toBe(true);
    await source.close();
  });
});
