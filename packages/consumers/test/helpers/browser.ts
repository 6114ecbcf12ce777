import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** What a sandboxed root needs, and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Screenshots and measurements of the browser tests (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../.artifacts/', import.meta.url));

/** Fails with how to install chromium when it is missing: the browser tests are never skipped. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests of broker view need Debian's chromium. Install it with \`bash scripts/ensure-chromium.sh\` (as root; it runs apt-get install chromium), as npm test and .ci/run do.`,
    );
  }
}

export interface TestBrowser {
  context: BrowserContext;
  newPage(options?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile (`--user-data-dir`), deleted on close; times shown in UTC. */
export async function openBrowser(): Promise<TestBrowser> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'broker-view-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timezoneId: 'UTC',
    locale: 'en-GB',
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    newPage: async (size) => {
      const page = await context.newPage();
      if (size) await page.setViewportSize(size);
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot under `.artifacts/`; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** One chromium for a test file: opened before its tests, closed after them. */
export function browserForSuite(): () => TestBrowser {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is opened in beforeAll.');
    return browser;
  };
}
