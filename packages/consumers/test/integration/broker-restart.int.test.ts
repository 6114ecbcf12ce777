import { createEventBroker, loadEndpoints } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/event-consumer';
import {
  closeRabbitConnections,
  deleteRabbit,
  endpointsFile,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireRabbitMq,
  restartRabbitNode,
} from '../helpers/services';
import { waitFor, wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];

beforeAll(async () => {
  url = (await requireRabbitMq('fault')).url;
});

afterAll(async () => {
  await requireRabbitMq('fault');
  for (const n of created) await deleteRabbit(url, n);
});

async function publishConversations(endpoints: string, senders: number, perSender: number) {
  const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
  const order = new Map<string, number>();
  const published: string[] = [];
  for (let i = 0; i < senders * perSender; i++) {
    const body = wireBody(`conversation-${i % senders}`);
    order.set(body, published.length);
    published.push(body);
    broker!.publish(body);
  }
  await broker!.flush(30_000);
  await broker!.close();
  return { order, published };
}

/**
 * Consumes while `disrupt` cuts the connection mid-stream, and checks that every event was
 * handled and that no conversation ever saw an earlier event after a later one.
 */
async function consumeThrough(disrupt: () => Promise<unknown>) {
  const n = rabbitNames();
  created.push(n);
  const endpoints = endpointsFile({ ...pikaEndpoint(url, n), retry_delay_in_seconds: 1 });
  const total = 6 * 100;
  const { order, published } = await publishConversations(endpoints, 6, 100);
  const seen: string[] = [];
  const controller = new AbortController();
  const consumer = await createConsumer({
    endpoints,
    concurrency: 8,
    signal: controller.signal,
    handler: async (e) => {
      seen.push(e.body);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  });
  const running = consumer.run();
  await waitFor('a third of the events handled', () => seen.length >= total / 3, 30_000);
  await disrupt();
  await waitFor('every event handled', () => new Set(seen).size === total, 60_000);
  controller.abort();
  const report = await running;

  expect(new Set(seen)).toEqual(new Set(published));
  const lastIndex = new Map<string, number>();
  for (const body of seen) {
    const sender = JSON.parse(body).sender_id as string;
    const index = order.get(body) as number;
    // Duplicates are allowed (at-least-once), going back in a conversation is not.
    expect(index).toBeGreaterThanOrEqual(lastIndex.get(sender) ?? -1);
    lastIndex.set(sender, index);
  }
  expect(await queueDepth(url, n.queue)).toBe(0);
  return { report, duplicates: seen.length - total };
}

describe('consuming through RabbitMQ faults (fault node)', () => {
  it('loses nothing and keeps order when the broker closes the connection mid-stream', async () => {
    const { report } = await consumeThrough(() => closeRabbitConnections('fault'));
    expect(report.stats.handled).toBe(600);
  });

  it('loses nothing and keeps each conversation in order when the broker restarts mid-stream', async () => {
    const { report } = await consumeThrough(() => restartRabbitNode('fault'));
    expect(report.stats.handled).toBe(600);
  });
});
