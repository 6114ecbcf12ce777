import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBroker, loadEndpoints } from '@broker/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserForSuite, saveScreenshot } from '../helpers/browser';
import {
  deleteKafkaTopics,
  deleteRabbit,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { nextTurn, scriptedConversation } from '../helpers/view-script';
import { untilReading, viewerTracker } from '../helpers/viewer';
import { waitFor } from '../helpers/wire';

const browser = browserForSuite();
const viewer = viewerTracker();
const dir = mkdtempSync(join(tmpdir(), 'view-browser-'));

/** Publishes through the broker of an endpoints file exactly as Rasa would, confirmed. */
async function publishVia(endpoints: string, bodies: string[]): Promise<void> {
  const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
  if (!broker) throw new Error(`${endpoints} has no event broker`);
  for (const body of bodies) broker.publish(body);
  const report = await broker.close({ timeout: 30_000 });
  expect(report.confirmed).toBe(bodies.length);
}

const utc = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The scripted conversation through `publish`, checked in the page: the list row, the whole
 * transcript, then the next turn and a new conversation arriving live.
 */
async function watchConversation(
  name: string,
  url: string,
  publish: (bodies: string[]) => Promise<void>,
  options: { published?: boolean } = {},
): Promise<{ page: Page; sender: string; published: number }> {
  const sender = `${name}-${randomUUID().slice(0, 8)}`;
  const start = Math.floor(Date.now() / 1000) - 120;
  const script = scriptedConversation(sender, start);
  if (!options.published) await publish(script);
  const page = await browser().newPage();
  await page.goto(url);
  const row = page.locator(`tr[data-sender="${sender}"]`);
  await row.waitFor({ timeout: 20_000 });
  expect(await row.locator('td').allTextContents()).toEqual([
    sender,
    utc(start),
    utc(start + 13 * 0.5),
    '2',
    'tomorrow',
  ]);
  await saveScreenshot(page, `${name}-list`);

  await row.locator('a').click();
  const items = page.locator('#items > li');
  await waitFor('the transcript', async () => (await items.count()) === script.length);
  expect(await page.locator('#transcript-title').textContent()).toBe(`Transcript: ${sender}`);
  expect(await row.getAttribute('class')).toBe('open');
  const kinds = await items.evaluateAll((lis) => lis.map((li) => li.className.replace('item ', '')));
  expect(kinds).toEqual([
    'action',
    'session',
    'action',
    'user',
    'slot',
    'action',
    'loop',
    'bot',
    'action',
    'user',
    'loop',
    'marker',
    'unknown',
    'marker',
  ]);
  const user = items.nth(3);
  expect(await user.locator('.text').textContent()).toBe('I want to fly to Berlin');
  expect(await user.locator('.intent').textContent()).toBe('intent book_flight 0.97');
  expect(await user.locator('.chips li').textContent()).toBe('city = Berlin 0.99 DIETClassifier');
  expect(await user.locator('time').textContent()).toBe(utc(start + 3 * 0.5));
  const bot = items.nth(7);
  expect(await bot.locator('.text').textContent()).toBe('When do you want to travel?');
  expect(await bot.locator('.chips li').allTextContents()).toEqual([
    'Tomorrow /inform{"date":"tomorrow"}',
    'Next week /inform{"date":"next week"}',
  ]);
  expect(await bot.locator('a').getAttribute('href')).toBe('https://example.com/plane.png');
  expect(await items.nth(5).textContent()).toContain('flight_form RulePolicy 1.00');
  expect(await items.nth(4).textContent()).toContain('city = Berlin');
  expect(await items.nth(6).textContent()).toContain('flight_form active');
  expect(await items.nth(10).textContent()).toContain('deactivated');
  expect(await items.nth(1).textContent()).toContain(`Session started ${utc(start + 0.5)}`);
  expect(await items.nth(11).textContent()).toContain(
    'Reminder scheduled checkin: intent remind_checkin at 2026-12-02T09:00:00+00:00',
  );
  expect(await items.nth(13).textContent()).toContain('Conversation restarted');
  // An unknown event type is shown raw, opened.
  const unknown = items.nth(12);
  expect(await unknown.textContent()).toContain('Unknown event type "rasa_pro_flow_started"');
  expect(await unknown.locator('pre').textContent()).toContain('"flow_id": "book_flight"');
  // Any event's JSON, on request.
  expect(await user.locator('pre').isVisible()).toBe(false);
  await user.locator('summary').click();
  expect(JSON.parse((await user.locator('pre').textContent()) ?? '')).toEqual(JSON.parse(script[3]!));
  await saveScreenshot(page, `${name}-transcript`);

  // Live: the next turn appears in the open transcript and the row, a new conversation on top.
  const more = nextTurn(sender, start + 60);
  const other = `${name}-new-${randomUUID().slice(0, 8)}`;
  const newcomer = nextTurn(other, start + 90).slice(0, 1);
  await publish([...more, ...newcomer]);
  await waitFor('the next turn in the transcript', async () => (await items.count()) === script.length + 2);
  expect(await items.last().locator('.text').textContent()).toBe("You're welcome!");
  await waitFor(
    'the new conversation on top',
    async () => (await page.locator('#rows tr').first().getAttribute('data-sender')) === other,
  );
  expect(await row.locator('td').allTextContents()).toEqual([
    sender,
    utc(start),
    utc(start + 60.5),
    '3',
    'thanks a lot',
  ]);
  return { page, sender, published: script.length + more.length + newcomer.length };
}

describe('broker view in a real browser', () => {
  it('RabbitMQ: on an exclusive queue of its own, taking nothing from the shared queue; live updates', async () => {
    const rabbit = await requireRabbitMq('main');
    const names = rabbitNames();
    const endpoints = endpointsFile(pikaEndpoint(rabbit.url, names));
    try {
      // The shared queue exists before the viewer, as it does where Rasa runs.
      await publishVia(endpoints, []);
      const view = await viewer(['-e', endpoints]);
      await view.live();
      expect((await view.status()).source.description).toBe(
        `RabbitMQ: an exclusive queue bound to exchange ${names.exchange} on amqp://127.0.0.1:5672`,
      );
      const { page, published } = await watchConversation('rabbitmq', view.url, (bodies) =>
        publishVia(endpoints, bodies),
      );
      expect(await queueDepth(rabbit.url, names.queue)).toBe(published);
      await page.close();
      expect(await view.stop()).toBe(0);
    } finally {
      await deleteRabbit(rabbit.url, names);
    }
  });

  it('Kafka: a consumer group of its own from the latest offset; live updates', async () => {
    await requireKafka('single');
    const topic = `view-test-${randomUUID().slice(0, 8)}`;
    const endpoints = endpointsFile(kafkaEndpoint(topic));
    try {
      await publishVia(endpoints, []);
      const view = await viewer(['-e', endpoints]);
      await view.live();
      expect((await view.status()).source.description).toMatch(
        new RegExp(`^Kafka: ${topic} \\(group broker-view-[0-9a-f]{8}\\)$`),
      );
      await untilReading(view, (bodies) => publishVia(endpoints, bodies));
      const { page } = await watchConversation('kafka', view.url, (bodies) => publishVia(endpoints, bodies));
      await page.close();
      expect(await view.stop()).toBe(0);
    } finally {
      // Deleting the topic deletes the viewer's group offsets too.
      await deleteKafkaTopics([topic]);
    }
  });

  it('file broker: the file so far, then what is appended', async () => {
    const path = join(dir, `events-${randomUUID().slice(0, 8)}.log`);
    writeFileSync(path, '');
    const endpoints = endpointsFile({ type: 'file', path });
    const view = await viewer(['-e', endpoints]);
    const append = async (bodies: string[]) => appendFileSync(path, bodies.map((b) => `${b}\n`).join(''));
    const { page } = await watchConversation('file', view.url, append);
    await page.close();
    expect(await view.stop()).toBe(0);
  });
});
