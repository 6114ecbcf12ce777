import {
  BufferOverflowError,
  ConnectionError,
  MessageTooLargeError,
  slotSet,
  TimeoutError,
  type UndeliveredEvent,
} from '@broker/core';
import { closedPort } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';
import { KafkaEventBroker } from '../src/index';
import { captureLogger } from './capture-logger';

const event = (n: number) => ({ sender_id: `offline-${n % 3}`, ...slotSet('n', n, { timestamp: 1 + n }) });

describe('KafkaEventBroker while Kafka is unreachable', () => {
  it('publish never blocks: thousands of events are accepted at once and stay pending', async () => {
    const broker = new KafkaEventBroker({ url: `127.0.0.1:${await closedPort()}`, topic: 'offline' });
    const started = performance.now();
    for (let n = 0; n < 10_000; n++) broker.publish(event(n));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(broker.stats()).toMatchObject({ published: 10_000, confirmed: 0, pending: 10_000 });
    expect(broker.isReady()).toBe(false);
    expect(broker.state).toBe('connecting');
    await broker.close({ timeout: 0 });
  });

  it('flush rejects with TimeoutError naming what is pending; close reports every undelivered event within its timeout', async () => {
    const broker = new KafkaEventBroker({
      url: `127.0.0.1:${await closedPort()}`,
      topic: 'offline',
      retryBackoffMs: 20,
    });
    for (let n = 0; n < 25; n++) broker.publish(event(n));
    const flushError = await broker.flush(300).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(flushError)).toBe(true);
    expect((flushError as TimeoutError).pending).toBe(25);
    expect((flushError as Error).message).toContain('25 event(s) still pending');
    const started = performance.now();
    const report = await broker.close({ timeout: 500 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(report.undelivered).toHaveLength(25);
    expect(report.undelivered[0]).toMatchObject({ senderId: 'offline-0', reason: 'close-timeout' });
    expect(JSON.parse(report.undelivered[24]!.body).value).toBe(24);
    expect(broker.state).toBe('closed');
  });

  it("startup 'wait' gives up after startup_timeout_ms with a ConnectionError naming the address, and closes", async () => {
    const port = await closedPort();
    const started = performance.now();
    const error = await KafkaEventBroker.create({
      url: `127.0.0.1:${port}`,
      startup: 'wait',
      startupTimeoutMs: 1500,
    }).catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`Kafka at 127.0.0.1:${port} was not ready within 1500 ms`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(5000);
  });

  it("startup 'buffer' returns at once and keeps the events until Kafka comes", async () => {
    const broker = await KafkaEventBroker.create({
      url: `127.0.0.1:${await closedPort()}`,
      startup: 'buffer',
    });
    broker.publish(event(1));
    expect(broker.stats().pending).toBe(1);
    expect(broker.state).toBe('connecting');
    await broker.close({ timeout: 0 });
  });

  it('the buffer is bounded: reject throws BufferOverflowError, drop-oldest drops, logs and reports the oldest', async () => {
    const url = `127.0.0.1:${await closedPort()}`;
    const rejecting = new KafkaEventBroker({ url, queueSize: 10 });
    for (let n = 0; n < 10; n++) rejecting.publish(event(n));
    expect(() => rejecting.publish(event(10))).toThrowError(/publish buffer is full/);
    try {
      rejecting.publish(event(11));
    } catch (error) {
      expect(BufferOverflowError.isInstance(error)).toBe(true);
    }
    await rejecting.close({ timeout: 0 });

    const logger = captureLogger();
    const dropping = new KafkaEventBroker({ url, queueSize: 10, bufferOverflow: 'drop-oldest', logger });
    const dropped: UndeliveredEvent[] = [];
    dropping.on('undelivered', (events) => dropped.push(...events));
    for (let n = 0; n < 15; n++) dropping.publish(event(n));
    expect(dropped.map((e) => JSON.parse(e.body).value)).toEqual([0, 1, 2, 3, 4]);
    expect(dropped.every((e) => e.reason === 'dropped')).toBe(true);
    expect(dropping.stats()).toMatchObject({ published: 15, dropped: 5, pending: 10 });
    expect(logger.text()).toContain('publish buffer full: dropped the oldest');
    await dropping.close({ timeout: 0 });
  });

  it('rejects an oversized event before it reaches Kafka, naming its size and the limit', async () => {
    const broker = new KafkaEventBroker({ url: `127.0.0.1:${await closedPort()}`, maxMessageBytes: 1000 });
    const big = { sender_id: 'big', ...slotSet('blob', 'x'.repeat(2000), { timestamp: 1 }) };
    let caught: unknown;
    try {
      broker.publish(big);
    } catch (error) {
      caught = error;
    }
    expect(MessageTooLargeError.isInstance(caught)).toBe(true);
    expect((caught as MessageTooLargeError).limit).toBe(1000);
    expect((caught as Error).message).toContain('accepts messages up to 1000 bytes');
    expect(broker.stats().published).toBe(0);
    await broker.close({ timeout: 0 });
  });

  it("routes kafkajs's own log lines into the injected logger, tagged kafkajs, as warnings at most", async () => {
    const logger = captureLogger();
    const broker = new KafkaEventBroker({
      url: `127.0.0.1:${await closedPort()}`,
      logger,
      retryBackoffMs: 20,
    });
    broker.publish(event(1));
    await broker.flush(1500).catch(() => undefined);
    await broker.close({ timeout: 0 });
    const fromKafkajs = logger.lines.filter((line) => typeof line.context.kafkajs === 'string');
    expect(fromKafkajs.length).toBeGreaterThan(0);
    expect(fromKafkajs.some((line) => /ECONNREFUSED/.test(line.message))).toBe(true);
    expect(fromKafkajs.every((line) => line.level !== 'error')).toBe(true);
    expect(logger.text()).toContain('Kafka connect failed (attempt 1); retrying in');
  });
});
