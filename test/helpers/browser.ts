import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';

/**
 * Real-browser tests run headless Chromium from the Debian package (`apt-get install chromium`),
 * driven by playwright-core — never a browser Playwright downloads. `RTBENCH_CHROMIUM`
 * points elsewhere (e.g. a Chrome on macOS).
 */
export const CHROMIUM_PATH = process.env.RTBENCH_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set RTBENCH_CHROMIUM)`;
}

/**
 * `describe` for tests that need Chromium. Without it they are skipped, with the reason in
 * the suite's name so the runner shows it — except in CI (`CI=true`), which installs
 * Chromium: there they run and fail at launch, so a broken CI image cannot pass silently.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  const missing = browserMissing();
  if (missing !== undefined && process.env.CI !== 'true') {
    // The reporter shows a skipped file only as a count; this line says why.
    console.warn(`skipping "${name}": ${missing}`);
    describe.skip(`${name} [skipped: ${missing}]`, body);
    return;
  }
  describe(name, body);
}

/** Launches headless Chromium; a missing browser is an error naming the path. */
export async function launchBrowser(): Promise<Browser> {
  const missing = browserMissing();
  if (missing !== undefined) throw new Error(`cannot run browser tests: ${missing}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What a page did that a test may want to assert is nothing: console errors and warnings, uncaught errors, blocked requests. */
export interface PageWatch {
  readonly consoleProblems: string[];
  readonly pageErrors: string[];
  readonly blockedRequests: string[];
}

/**
 * Opens a page that watches its console and uncaught errors and, with `offline`, aborts
 * every request that is not a `file:` URL (recording it) — so a report that reaches for the
 * network is caught, not served.
 */
export async function openWatchedPage(context: BrowserContext, options: { offline: boolean }): Promise<{ page: Page; watch: PageWatch }> {
  const watch: PageWatch = { consoleProblems: [], pageErrors: [], blockedRequests: [] };
  if (options.offline) {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      watch.blockedRequests.push(url);
      return route.abort();
    });
  }
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') watch.consoleProblems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  if (options.offline) {
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !watch.blockedRequests.includes(request.url())) watch.blockedRequests.push(request.url());
    });
  }
  return { page, watch };
}
