import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { describeWithBrowser, launchBrowser, openWatchedPage } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';

type Kind = 'sse' | 'ws' | 'polling' | 'long-polling';
const KINDS: readonly Kind[] = ['sse', 'ws', 'polling', 'long-polling'];

/** The page as the evaluated functions see it (the project's TypeScript has no DOM library). */
interface DemoPage {
  rtbenchDemo: {
    topic: string;
    received: Record<Kind, number[]>;
    ready: Record<Kind, boolean>;
    publish(): Promise<number>;
  };
  document: { getElementById(id: string): { textContent: string | null } | null };
}

/**
 * The reference server's demo page (`GET /`) in a real browser: EventSource, WebSocket,
 * fetch polling and fetch long-polling consume one topic from the protocol as it is
 * (issue 2: "a browser page's EventSource, WebSocket and fetch polling can consume from it").
 */
describeWithBrowser('demo page in headless Chromium', () => {
  let server: ReferenceServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('delivers each published event once, in order, to all four transports', async () => {
    const context = await browser.newContext();
    try {
      // Anything but the server itself is refused and recorded: the page must need nothing else.
      const foreign: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.url}/`)) return route.continue();
        foreign.push(url);
        return route.abort();
      });
      const { page, watch } = await openWatchedPage(context, { offline: false });
      await page.goto(`${server.url}/?topic=demo1`);
      expect(await page.evaluate(() => (globalThis as unknown as DemoPage).rtbenchDemo.topic)).toBe('demo1');

      // The page's long-poller starts without a cursor, so it is "open" only once its first
      // hold (20 s) ends empty; until then the other three are long ready.
      await page.waitForFunction(() => Object.values((globalThis as unknown as DemoPage).rtbenchDemo.ready).every(Boolean), null, { timeout: 30_000, polling: 50 });

      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await page.evaluate(() => (globalThis as unknown as DemoPage).rtbenchDemo.publish()));
      expect(ids).toEqual([1, 2, 3]); // a fresh topic numbers from 1

      await page.waitForFunction((n) => Object.values((globalThis as unknown as DemoPage).rtbenchDemo.received).every((r) => r.length >= n), ids.length, { timeout: 5_000, polling: 20 });
      // Longer than one polling interval (500 ms): a duplicate would have arrived by now.
      await page.waitForTimeout(800);
      const received = await page.evaluate(() => (globalThis as unknown as DemoPage).rtbenchDemo.received);
      for (const kind of KINDS) expect(received[kind], kind).toEqual(ids);
      const counts = await page.evaluate((kinds) => kinds.map((k) => (globalThis as unknown as DemoPage).document.getElementById(`${k}-count`)!.textContent), [...KINDS]);
      expect(counts).toEqual(['3', '3', '3', '3']);

      expect(foreign).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
