/**
 * `broker view` measured in Debian's chromium, with the built command line:
 *
 * - live-update latency: an event published through the broker (RabbitMQ, Kafka, the file
 *   broker) until its line is in the open transcript, p50/p90/p99/max over `--events` events sent
 *   at `--rate` per second (publish time and the page's MutationObserver read the same clock);
 * - the page's size on the wire (gzip) and uncompressed, as the browser loaded it;
 * - the list with `--conversations` conversations: fetching and rendering a page (50 rows);
 * - with `--screenshot <png>`, the picture of the consumers README.
 *
 *   pnpm --filter @broker/consumers bench:view [--events N] [--rate N] [--brokers rabbitmq,kafka,file]
 *        [--conversations N] [--screenshot file.png] [--out file.json]
 *
 * Needs `pnpm services:up` (RabbitMQ, Kafka), a build, and /usr/bin/chromium.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEventBroker, type EventBroker, loadEndpoints } from '@broker/core';
import type { Page } from 'playwright-core';
import { openBrowser, type TestBrowser } from '../test/helpers/browser';
import {
  deleteKafkaTopics,
  deleteRabbit,
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../test/helpers/services';
import { nextTurn, scriptedConversation } from '../test/helpers/view-script';
import { startViewer, untilReading } from '../test/helpers/viewer';
import { waitFor } from '../test/helpers/wire';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    brokers: { type: 'string', default: 'rabbitmq,kafka,file' },
    conversations: { type: 'string', default: '10000' },
    screenshot: { type: 'string' },
    out: {
      type: 'string',
      default: join(dirname(fileURLToPath(import.meta.url)), '.results', 'view-bench.json'),
    },
  },
});
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const dir = mkdtempSync(join(tmpdir(), 'view-bench-'));

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

interface Target {
  name: string;
  endpoints: string;
  publish(bodies: string[]): Promise<void>;
  /** Publishes one body now, without waiting for the broker (the clock starts before this call). */
  send(body: string): void;
  finish(): Promise<void>;
  cleanup(): Promise<void>;
}

async function brokerTarget(name: string, endpoints: string, cleanup: () => Promise<void>): Promise<Target> {
  const broker = (await createEventBroker(loadEndpoints(endpoints).eventBroker)) as EventBroker;
  return {
    name,
    endpoints,
    publish: async (bodies) => {
      for (const body of bodies) broker.publish(body);
      await broker.flush(30_000);
    },
    send: (body) => broker.publish(body),
    finish: async () => {
      await broker.close({ timeout: 30_000 });
    },
    cleanup,
  };
}

async function target(name: string): Promise<Target> {
  if (name === 'rabbitmq') {
    const rabbit = await requireRabbitMq('main');
    const names = rabbitNames();
    return brokerTarget(name, endpointsFile(pikaEndpoint(rabbit.url, names)), () =>
      deleteRabbit(rabbit.url, names),
    );
  }
  if (name === 'kafka') {
    await requireKafka('single');
    const topic = `view-bench-${randomUUID().slice(0, 8)}`;
    return brokerTarget(name, endpointsFile(kafkaEndpoint(topic)), () => deleteKafkaTopics([topic]));
  }
  const path = join(dir, `events-${randomUUID().slice(0, 8)}.log`);
  writeFileSync(path, '');
  return {
    name,
    endpoints: endpointsFile({ type: 'file', path }),
    publish: async (bodies) => appendFileSync(path, bodies.map((b) => `${b}\n`).join('')),
    send: (body) => appendFileSync(path, `${body}\n`),
    finish: async () => {},
    cleanup: async () => {},
  };
}

async function latency(browser: TestBrowser, name: string) {
  const t = await target(name);
  const view = await startViewer(['-e', t.endpoints]);
  try {
    await view.live(60_000).catch(() => undefined);
    await untilReading(view, t.publish);
    const sender = `latency-${randomUUID().slice(0, 8)}`;
    await t.publish([
      JSON.stringify({ sender_id: sender, event: 'session_started', timestamp: Date.now() / 1000 }),
    ]);
    const page = await browser.newPage();
    await page.goto(`${view.url}#/c/${sender}`);
    await page.locator('#items > li').first().waitFor();
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: Record<string, number> }).__seen = seen;
      new MutationObserver((records) => {
        const now = Date.now();
        for (const record of records) {
          for (const node of record.addedNodes) {
            const text = (node as Element).querySelector?.('.text')?.textContent;
            if (text?.startsWith('m')) seen[text] = now;
          }
        }
      }).observe(document.getElementById('items') as Node, { childList: true });
    });
    const sentAt: number[] = [];
    const start = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const wait = start + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt[i] = Date.now();
      t.send(
        JSON.stringify({
          sender_id: sender,
          event: 'bot',
          timestamp: Date.now() / 1000,
          text: `m${i}`,
          data: {},
        }),
      );
    }
    await t.finish();
    await waitFor(
      `${name}: all ${EVENTS} events in the page`,
      async () => (await page.locator('#items > li.bot').count()) === EVENTS,
      120_000,
    );
    const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
    const samples = sentAt.map((at, i) => (seen[`m${i}`] ?? Number.NaN) - at);
    await page.close();
    return { broker: name, ...percentiles(samples) };
  } finally {
    await view.stop();
    await t.cleanup();
  }
}

async function pageSize(page: Page) {
  return page.evaluate(() => {
    const entries = [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ] as PerformanceResourceTiming[];
    const files = entries.filter((e) => !e.name.includes('/api/'));
    return {
      files: files.map((e) => ({
        name: new URL(e.name).pathname,
        transferred: e.transferSize,
        encoded: e.encodedBodySize,
        decoded: e.decodedBodySize,
      })),
      transferred: files.reduce((sum, e) => sum + e.transferSize, 0),
      encoded: files.reduce((sum, e) => sum + e.encodedBodySize, 0),
      decoded: files.reduce((sum, e) => sum + e.decodedBodySize, 0),
    };
  });
}

async function bigList(browser: TestBrowser) {
  const count = Number(args.conversations);
  const path = join(dir, 'big-list.log');
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const sender = `user-${String(i).padStart(6, '0')}`;
    lines.push(
      JSON.stringify({
        sender_id: sender,
        event: 'user',
        timestamp: 1716801234 + i,
        text: `hello ${i}`,
        parse_data: { intent: { name: `intent_${i % 20}`, confidence: 0.9 } },
      }),
      JSON.stringify({ sender_id: sender, event: 'bot', timestamp: 1716801234.5 + i, text: 'hi', data: {} }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  const view = await startViewer(['-e', endpointsFile({ type: 'file', path })]);
  try {
    await waitFor('the list to be read', async () => (await view.status()).conversations === count, 120_000);
    const page = await browser.newPage();
    await page.goto(view.url);
    await page.locator('#rows tr').first().waitFor();
    const size = await pageSize(page);
    const load: number[] = [];
    const render: number[] = [];
    for (let n = 2; n <= Math.min(21, Math.ceil(count / 50)); n++) {
      await page.locator('#older').click();
      await waitFor(`page ${n}`, async () =>
        ((await page.locator('#page-info').textContent()) ?? '').startsWith(`page ${n} `),
      );
      const measured = await page.evaluate(() => ({
        load: performance.getEntriesByName('broker-view:list-load')[0]?.duration ?? Number.NaN,
        render: performance.getEntriesByName('broker-view:list-render')[0]?.duration ?? Number.NaN,
      }));
      load.push(measured.load);
      render.push(measured.render);
    }
    await page.close();
    return { size, list: { conversations: count, load: percentiles(load), render: percentiles(render) } };
  } finally {
    await view.stop();
  }
}

async function screenshot(browser: TestBrowser, path: string): Promise<void> {
  const file = join(dir, 'screenshot.log');
  const now = Math.floor(Date.now() / 1000) - 3600;
  const bodies = ['alice-42', 'bob-7', 'carol-13', 'dave-99'].flatMap((sender, i) => [
    ...scriptedConversation(sender, now + i * 400),
    ...nextTurn(sender, now + i * 400 + 60),
  ]);
  writeFileSync(
    file,
    `${bodies.filter((b) => !b.includes('rasa_pro') && !b.includes('"restart"')).join('\n')}\n`,
  );
  const view = await startViewer(['-e', endpointsFile({ type: 'file', path: file })]);
  try {
    const page = await browser.newPage({ width: 1200, height: 640 });
    await page.goto(`${view.url}#/c/dave-99`);
    await page.locator('#items > li.bot').first().waitFor();
    await page.locator('#items > li.user').first().scrollIntoViewIfNeeded();
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path });
    await page.close();
  } finally {
    await view.stop();
  }
}

const browser = await openBrowser();
try {
  const load = loadavg().map((n) => n.toFixed(2));
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    load,
    events: EVENTS,
    rate: RATE,
    latency: [],
  };
  for (const name of (args.brokers ?? '').split(',').filter(Boolean)) {
    const measured = await latency(browser, name);
    (results.latency as unknown[]).push(measured);
    console.log(
      `${name}: published → visible p50 ${measured.p50} ms, p90 ${measured.p90} ms, p99 ${measured.p99} ms, max ${measured.max} ms (${measured.count} events at ${RATE}/s)`,
    );
  }
  const list = await bigList(browser);
  Object.assign(results, list);
  console.log(
    `page: ${list.size.transferred} bytes transferred (${list.size.encoded} gzipped bodies, ${list.size.decoded} uncompressed)`,
  );
  console.log(
    `list of ${list.list.conversations}: fetch + render p50 ${list.list.load.p50.toFixed(1)} ms (max ${list.list.load.max.toFixed(1)}), render p50 ${list.list.render.p50.toFixed(1)} ms (max ${list.list.render.max.toFixed(1)})`,
  );
  if (args.screenshot) await screenshot(browser, args.screenshot);
  mkdirSync(dirname(args.out as string), { recursive: true });
  writeFileSync(args.out as string, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${args.out}; load average at start ${load.join(' / ')}`);
} finally {
  await browser.close();
}
