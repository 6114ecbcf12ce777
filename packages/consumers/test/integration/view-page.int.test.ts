/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Functions given to page.evaluate run in the browser.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, browserForSuite, saveScreenshot } from '../helpers/browser';
import { httpGet, openSse } from '../helpers/http-client';
import { closedPort, endpointsFile } from '../helpers/services';
import { nextTurn, scriptedConversation } from '../helpers/view-script';
import { viewerTracker } from '../helpers/viewer';
import { waitFor } from '../helpers/wire';

const browser = browserForSuite();
const viewer = viewerTracker();
const dir = mkdtempSync(join(tmpdir(), 'view-page-'));

/** A file broker whose file already holds `bodies`; returns its endpoints file and a way to append. */
function fileBroker(bodies: string[]): { endpoints: string; append(more: string[]): void } {
  const path = join(dir, `events-${randomUUID().slice(0, 8)}.log`);
  writeFileSync(path, bodies.map((b) => `${b}\n`).join(''));
  return {
    endpoints: endpointsFile({ type: 'file', path }),
    append: (more) => appendFileSync(path, more.map((b) => `${b}\n`).join('')),
  };
}

/** Records every script the page runs from an event's content, and every CSP violation. */
async function trapScripts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __ran: string[]; __violations: string[] };
    w.__ran = [];
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      w.__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
}

const XSS = [
  '<script>window.__ran.push("script")</script>',
  '<img src=x onerror="window.__ran.push(\'img\')">',
  'javascript:window.__ran.push("href")',
  '"><svg onload=window.__ran.push("svg")>',
];

describe('broker view page', () => {
  it('escapes everything an event carries: no payload runs, no markup is made, no CSP violation', async () => {
    const [script, img, href, svg] = XSS as [string, string, string, string];
    const sender = `${img}${randomUUID().slice(0, 4)}`;
    const entity = { entity: svg, value: script, extractor: img, role: href, group: svg };
    const events: Record<string, unknown>[] = [
      { event: 'session_started', timestamp: 1716801234, metadata: { note: script } },
      {
        event: 'user',
        timestamp: 1716801235,
        text: `${script} ${img}`,
        input_channel: svg,
        parse_data: { intent: { name: img, confidence: 0.5 }, entities: [entity] },
      },
      {
        event: 'bot',
        timestamp: 1716801236,
        text: svg,
        data: {
          buttons: [{ title: img, payload: script, url: href }],
          quick_replies: [{ title: svg, payload: href }],
          image: href,
          attachment: { url: 'javascript:window.__ran.push("attachment")' },
          custom: { html: script },
        },
      },
      { event: 'action', timestamp: 1716801237, name: img, policy: svg, confidence: 1 },
      { event: 'slot', timestamp: 1716801238, name: svg, value: { nested: img } },
      { event: 'entities', timestamp: 1716801239, entities: [entity] },
      { event: 'active_loop', timestamp: 1716801240, name: script },
      { event: 'reminder', timestamp: 1716801241, intent: img, date_time: svg, name: script },
      { event: 'followup', timestamp: 1716801242, name: href },
      { event: img, timestamp: 1716801243, payload: script },
    ];
    const broker = fileBroker(events.map((event) => JSON.stringify({ sender_id: sender, ...event })));
    const view = await viewer(['-e', broker.endpoints]);
    const page = await browser().newPage();
    await trapScripts(page);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(view.url);
    const link = page.locator('#rows a').first();
    await link.waitFor();
    expect(await link.textContent()).toBe(sender);
    await page.locator('#filter-intent').selectOption(img);
    await link.click();
    await waitFor(
      'the transcript',
      async () => (await page.locator('#items > li').count()) === events.length,
    );
    for (const summary of await page.locator('#items summary').all()) await summary.click();
    // The payloads are there, as text.
    const text = (await page.locator('body').textContent()) ?? '';
    for (const payload of XSS) expect(text).toContain(payload);
    const found = await page.evaluate(() => {
      const w = window as unknown as { __ran: string[]; __violations: string[] };
      const all = [...document.querySelectorAll('*')];
      return {
        ran: w.__ran,
        violations: w.__violations,
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        made: all
          .filter((e) => ['IMG', 'SVG', 'svg', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName))
          .map((e) => e.tagName),
        handlers: all.flatMap((e) =>
          [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name),
        ),
        hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href') ?? ''),
      };
    });
    expect(found).toMatchObject({
      ran: [],
      violations: [],
      scripts: ['/assets/app.js'],
      made: [],
      handlers: [],
    });
    expect(found.hrefs.filter((h) => !/^(#|https?:\/\/)/.test(h))).toEqual([]);
    expect(dialogs).toEqual([]);
    await saveScreenshot(page, 'xss-transcript');
    await page.close();
    expect(await view.stop()).toBe(0);
  });

  it('a broker that is down: the page loads and says so; no credential of the endpoints file reaches the page', async () => {
    const port = (await closedPort()) as number;
    const endpoints = endpointsFile({
      type: 'pika',
      url: '127.0.0.1',
      port,
      username: 'viewer-user-7f3a',
      password: 'S3cret-p4ss-9c1e',
      queues: ['view-test-down'],
    });
    const view = await viewer(['-e', endpoints]);
    const page = await browser().newPage();
    await page.goto(view.url);
    const source = page.locator('#source');
    await waitFor(
      'the page to say the broker is down',
      async () => (await source.getAttribute('class')) === 'source state-reconnecting',
    );
    expect(await source.textContent()).toMatch(
      new RegExp(
        `^Not connected to the broker, retrying: .*127\\.0\\.0\\.1:${port}.*\\(RabbitMQ: an exclusive queue bound to exchange rasa-exchange on amqp://127\\.0\\.0\\.1:${port}\\)$`,
      ),
    );
    await saveScreenshot(page, 'broker-down');
    const stream = await openSse(`${view.url}api/stream`);
    await stream.until(1, (e) => e.event === 'status');
    stream.close();
    const seen = [
      await page.content(),
      (await httpGet(`${view.url}api/status`)).body,
      (await httpGet(`${view.url}api/conversations`)).body,
      ...stream.events.map((e) => e.data),
    ].join('\n');
    expect(seen).not.toContain('S3cret-p4ss-9c1e');
    expect(seen).not.toContain('viewer-user-7f3a');
    await page.close();
    expect(await view.stop()).toBe(0);
  });

  it('a banner when the stream drops and when it comes back; the page reloads from the new server', async () => {
    const sender = `banner-${randomUUID().slice(0, 8)}`;
    const broker = fileBroker(scriptedConversation(sender, 1716801234));
    const port = (await closedPort()) as number;
    const first = await viewer(['-e', broker.endpoints, '--port', String(port)]);
    const page = await browser().newPage();
    await page.goto(first.url);
    await page.locator(`tr[data-sender="${sender}"] a`).click();
    await waitFor('the transcript', async () => (await page.locator('#items > li').count()) === 14);
    const banner = page.locator('#banner');
    expect(await banner.isHidden()).toBe(true);
    expect(await first.stop()).toBe(0);
    await waitFor(
      'the disconnected banner',
      async () =>
        (await banner.isVisible()) &&
        (await banner.textContent()) === 'Disconnected from the viewer: reconnecting…',
    );
    await saveScreenshot(page, 'disconnected');
    broker.append(nextTurn(sender, 1716801300));
    await viewer(['-e', broker.endpoints, '--port', String(port)]);
    await waitFor(
      'the reconnected banner',
      async () => (await banner.textContent()) === 'Reconnected to the viewer.',
    );
    // Another server run: the page starts again from its snapshot, with what was added meanwhile.
    await waitFor('the reloaded transcript', async () => (await page.locator('#items > li').count()) === 16);
    await page.close();
  });

  it('on a phone: the list, then the transcript alone with a way back; keyboard only', async () => {
    const senders = ['phone-a', 'phone-b'].map((s) => `${s}-${randomUUID().slice(0, 4)}`);
    const broker = fileBroker([
      ...scriptedConversation(senders[0]!, 1716801234),
      ...scriptedConversation(senders[1]!, 1716802234),
    ]);
    const view = await viewer(['-e', broker.endpoints]);
    const page = await browser().newPage({ width: 390, height: 844 });
    await page.goto(view.url);
    await page.locator('#rows a').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'phone-list');
    // Tab to the first conversation (skip link, filters, then the rows), Enter opens it.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.closest('#rows') !== null)) break;
    }
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(senders[1]);
    await page.keyboard.press('Enter');
    await waitFor('the transcript', async () => (await page.locator('#items > li').count()) === 14);
    expect(await page.locator('#list').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'phone-transcript');
    await page.locator('#back').click();
    await page.locator('#list').waitFor({ state: 'visible' });
    await page.close();
    expect(await view.stop()).toBe(0);
  });

  it('a 1 MB event: stored, listed (its message cut to 200 characters) and shown whole', async () => {
    const sender = `big-${randomUUID().slice(0, 8)}`;
    const text = `${'a'.repeat(1024 * 1024 - 1)}z`;
    const broker = fileBroker([
      JSON.stringify({
        sender_id: sender,
        event: 'user',
        timestamp: 1716801234,
        text,
        parse_data: { intent: { name: 'big', confidence: 1 } },
      }),
    ]);
    const view = await viewer(['-e', broker.endpoints]);
    const page = await browser().newPage();
    await page.goto(view.url);
    const row = page.locator(`tr[data-sender="${sender}"]`);
    await row.waitFor();
    expect(await row.locator('.latest').textContent()).toBe('a'.repeat(200));
    await row.locator('a').click();
    const shown = page.locator('#items > li.user .text');
    await shown.waitFor();
    expect((await shown.textContent())?.length).toBe(text.length);
    await page.close();
    expect(await view.stop()).toBe(0);
  });

  it('10 000 conversations: the list pages and filters; render times recorded for the README', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const sender = `user-${String(i).padStart(5, '0')}`;
      const at = 1716801234 + i;
      bodies.push(
        JSON.stringify({ sender_id: sender, event: 'session_started', timestamp: at }),
        JSON.stringify({
          sender_id: sender,
          event: 'user',
          timestamp: at + 0.1,
          text: `hello ${i}`,
          parse_data: { intent: { name: `intent_${i % 20}`, confidence: 0.9 } },
        }),
        JSON.stringify({ sender_id: sender, event: 'bot', timestamp: at + 0.2, text: 'hi', data: {} }),
      );
    }
    const broker = fileBroker(bodies);
    const view = await viewer(['-e', broker.endpoints]);
    await waitFor('the file to be read', async () => (await view.status()).conversations === 10_000, 60_000);
    const page = await browser().newPage();
    await page.goto(view.url);
    await waitFor(
      'the first page',
      async () => (await page.locator('#page-info').textContent()) === 'page 1 of 200',
    );
    expect(await page.locator('#count').textContent()).toBe('(10000)');
    expect(await page.locator('#rows tr').first().getAttribute('data-sender')).toBe('user-09999');
    const timings: Record<string, number>[] = [];
    for (let n = 2; n <= 6; n++) {
      await page.locator('#older').click();
      await waitFor(
        `page ${n}`,
        async () => (await page.locator('#page-info').textContent()) === `page ${n} of 200`,
      );
      timings.push(
        await page.evaluate(() => ({
          load: performance.getEntriesByName('broker-view:list-load')[0]?.duration ?? -1,
          render: performance.getEntriesByName('broker-view:list-render')[0]?.duration ?? -1,
        })),
      );
    }
    expect(await page.locator('#rows tr').first().getAttribute('data-sender')).toBe('user-09749');
    await page.locator('#filter-sender').fill('user-0420');
    await waitFor('the filtered list', async () => (await page.locator('#count').textContent()) === '(10)');
    await page.locator('#filter-sender').fill('');
    await page.locator('#filter-intent').selectOption('intent_7');
    await waitFor('the intent filter', async () => (await page.locator('#count').textContent()) === '(500)');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'list-10000-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
    await page.close();
    expect(await view.stop()).toBe(0);
  });
});
