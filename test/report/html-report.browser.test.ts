import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, launchBrowser, openWatchedPage } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';

/** What the page says about one chart canvas once it is drawn. */
interface CanvasState {
  id: string;
  hasChart: boolean;
  type: string;
  datasets: number;
  /** Non-null data points over all datasets. */
  points: number;
  /** Pixels inside the plot area drawn in one of the datasets' colours. */
  dataPixels: number;
  xTickLabels: string[];
}

// Two seconds of window: enough for two per-second samples, so server CPU (a difference between samples) has a point.
/**
 * The page as the evaluated functions see it. The project's TypeScript has no DOM library
 * (it is Node code), so the little of the DOM these tests touch is typed here.
 */
interface CanvasLike {
  id: string;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface ChartLike {
  config: { type: string };
  data: { datasets: { data: unknown[]; borderColor: string | string[] }[] };
  chartArea: { left: number; top: number; right: number; bottom: number };
  currentDevicePixelRatio: number;
  scales: Record<string, { ticks: { label: string | string[] }[] }>;
}
interface ReportPage {
  rtbenchReport?: { ready: boolean; charts: number };
  Chart: { getChart(canvas: CanvasLike): ChartLike | undefined };
  document: {
    querySelectorAll(selector: 'canvas'): ArrayLike<CanvasLike>;
    getElementById(id: string): { textContent: string | null } | null;
    createElement(tag: 'img'): { src: string };
    body: { innerText: string; append(node: unknown): void };
  };
}

const SHORT_RUN = ['--clients', '10', '--duration', '2s', '--warmup', '200ms', '--quiet'];

describeWithBrowser('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtb-report-browser-'));
    // Real results from the real CLI: all four transports, and a polling-interval sweep with SSE as the reference.
    const four = await runCli(['run', ...SHORT_RUN, '--out', join(dir, 'four.json')]);
    expect(four.code, four.stderr).toBe(0);
    const sweep = await runCli(['run', ...SHORT_RUN, '--transports', 'polling,sse', '--sweep', 'interval=250ms,500ms', '--out', join(dir, 'sweep.json')]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const both = await runCli(['report', join(dir, 'four.json'), join(dir, 'sweep.json'), '--out', join(dir, 'both.html')]);
    expect(both.code, both.stderr).toBe(0);
    const single = await runCli(['report', join(dir, 'sweep.json')]);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toBe(`Report: ${join(dir, 'sweep.html')}\n`);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens a report offline, waits for its script to finish, and reads every canvas. */
  async function load(file: string): Promise<{ canvases: CanvasState[]; specCount: number; watch: Awaited<ReturnType<typeof openWatchedPage>>['watch']; text: string }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, watch } = await openWatchedPage(context, { offline: true });
      await page.goto(pathToFileURL(join(dir, file)).href);
      await page.waitForFunction(() => (globalThis as unknown as ReportPage).rtbenchReport?.ready === true, null, { timeout: 10_000 }).catch((error: Error) => {
        throw new Error(`${file} never finished drawing (${error.message.split('\n')[0]}); page errors: ${JSON.stringify(watch.pageErrors)}; console: ${JSON.stringify(watch.consoleProblems)}`);
      });
      const specCount = await page.evaluate(() => (JSON.parse((globalThis as unknown as ReportPage).document.getElementById('rtbench-report-data')!.textContent!) as { charts: unknown[] }).charts.length);
      const canvases = await page.evaluate(() => {
        const { Chart, document } = globalThis as unknown as ReportPage;
        const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        return Array.from(document.querySelectorAll('canvas')).map((canvas): CanvasState => {
          const chart = Chart.getChart(canvas);
          if (!chart) return { id: canvas.id, hasChart: false, type: '', datasets: 0, points: 0, dataPixels: 0, xTickLabels: [] };
          const points = chart.data.datasets.reduce((n, d) => n + d.data.filter((p) => p !== null && (typeof p !== 'object' || (p as { y: unknown }).y !== null)).length, 0);
          const colours = chart.data.datasets.flatMap((d) => (Array.isArray(d.borderColor) ? d.borderColor : [d.borderColor])).map(rgb);
          const dpr = chart.currentDevicePixelRatio;
          const { left, top, right, bottom } = chart.chartArea;
          const image = canvas.getContext('2d')!.getImageData(Math.floor(left * dpr), Math.floor(top * dpr), Math.ceil((right - left) * dpr), Math.ceil((bottom - top) * dpr)).data;
          let dataPixels = 0;
          for (let i = 0; i < image.length; i += 4) {
            if (image[i + 3] < 200) continue;
            if (colours.some(([r, g, b]) => Math.abs(image[i] - r) + Math.abs(image[i + 1] - g) + Math.abs(image[i + 2] - b) < 40)) dataPixels++;
          }
          const xTickLabels = (chart.scales.x?.ticks ?? []).map((t) => String(t.label));
          return { id: canvas.id, hasChart: true, type: chart.config.type, datasets: chart.data.datasets.length, points, dataPixels, xTickLabels };
        });
      });
      const text = await page.evaluate(() => (globalThis as unknown as ReportPage).document.body.innerText);
      return { canvases, specCount, watch, text };
    } finally {
      await context.close();
    }
  }

  it('draws every chart with data, offline, with a clean console — two files, one of them a sweep', async () => {
    const { canvases, specCount, watch, text } = await load('both.html');
    expect(watch.blockedRequests).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(watch.consoleProblems).toEqual([]);
    // latency + 4 cost bars + 4 interval-sweep curves + 3 time series, all measured by a real run
    expect(canvases.map((c) => c.id)).toEqual([
      'chart-latency',
      'chart-cost-0',
      'chart-cost-1',
      'chart-cost-2',
      'chart-cost-3',
      'chart-sweep-interval-0',
      'chart-sweep-interval-1',
      'chart-sweep-interval-2',
      'chart-sweep-interval-3',
      'chart-time-0',
      'chart-time-1',
      'chart-time-2',
    ]);
    expect(specCount).toBe(canvases.length);
    for (const c of canvases) {
      expect(c.hasChart, c.id).toBe(true);
      expect(c.datasets, c.id).toBeGreaterThan(0);
      expect(c.points, c.id).toBeGreaterThan(0);
      expect(c.dataPixels, `${c.id}: pixels in the data's colours`).toBeGreaterThan(50);
    }
    const latency = canvases.find((c) => c.id === 'chart-latency')!;
    expect(latency.datasets).toBe(4 + 3); // four.json's four phases, sweep.json's two polling intervals and SSE
    expect(latency.xTickLabels).toEqual(['0%', '50%', '90%', '99%', '99.9%', '99.99%']);
    expect(canvases.find((c) => c.id === 'chart-sweep-interval-0')!.xTickLabels).toEqual(['250 ms', '500 ms']);
    // The summary's file and phase columns. A phase's label may be followed at once by its
    // badge ("polling@250mswarning" in innerText) when a busy machine earned the phase a
    // warning: so the label must not run on into digits, rather than end at a word boundary.
    expect(text).toMatch(/\bfour\s+polling@1s(?![\d.])/);
    expect(text).toMatch(/\bsweep\s+polling@250ms(?![\d.])/);
    expect(text).toContain('Sweep: polling interval');
  });

  it('draws a single result the same way, every chart with data', async () => {
    const { canvases, watch } = await load('sweep.html');
    expect(watch.blockedRequests).toEqual([]);
    expect([...watch.pageErrors, ...watch.consoleProblems]).toEqual([]);
    expect(canvases.length).toBe(12);
    for (const c of canvases) expect(c.dataPixels, c.id).toBeGreaterThan(50);
    const requests = canvases.find((c) => c.id === 'chart-sweep-interval-1')!;
    expect(requests.datasets).toBe(2); // the polling curve and the SSE reference line
  });

  it('notices a page that reaches for the network (the check itself works)', async () => {
    const context = await browser.newContext();
    try {
      const { page, watch } = await openWatchedPage(context, { offline: true });
      await page.goto(pathToFileURL(join(dir, 'sweep.html')).href);
      await page.evaluate(() => {
        const { document } = globalThis as unknown as ReportPage;
        const img = document.createElement('img');
        img.src = 'http://127.0.0.1:9/probe.png';
        document.body.append(img);
      });
      await page.waitForTimeout(200);
      // The report's Content-Security-Policy blocks it before the network: it shows as a console error.
      expect([...watch.blockedRequests, ...watch.consoleProblems].join('\n')).toMatch(/probe\.png/);
    } finally {
      await context.close();
    }
  });
});
