import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDurationUs, formatPercent } from '../../src/format.js';
import { axisTickLabel } from '../../src/report/html/axis-tick-label.js';
import { browserFormatSource } from '../../src/report/html/browser-format.js';
import { renderHtmlReport } from '../../src/report/html/render-html-report.js';
import { describeWithBrowser, launchBrowser, openWatchedPage } from '../helpers/browser.js';
import { fixturePhase, fixtureResult } from './html-fixtures.js';

/** The page's formatters (browser-script.ts FORMAT), as (value, step) → text. */
const durationUs = (v: number): string => formatDurationUs(v);
const bytes = (v: number): string => formatBytes(v);
const count = (v: number): string => formatCount(v);
const cpuPercent = (v: number, step: number): string => formatPercent(v / 100, step < 1 ? 1 : 0);

/** Every label of an axis with these tick values, as the page writes them. */
function labels(format: (v: number, step: number) => string, values: number[]): string[] {
  const step = values.length > 1 ? Math.abs(values[1] - values[0]) : 0;
  return values.map((v) => axisTickLabel(format, v, step, values));
}

describe('value-axis tick labels: a zero tick reads in its axis\'s unit', () => {
  it('writes "0 ms" under millisecond ticks, where the formatter alone says "0 µs"', () => {
    expect(formatDurationUs(0)).toBe('0 µs'); // what the axis used to show
    expect(labels(durationUs, [0, 2000, 4000, 6000, 8000])).toEqual(['0 ms', '2.00 ms', '4.00 ms', '6.00 ms', '8.00 ms']);
    expect(labels(durationUs, [0, 500_000, 1_000_000, 1_500_000])).toEqual(['0 ms', '500 ms', '1.00 s', '1.50 s']);
    expect(labels(durationUs, [0, 1_000_000, 2_000_000])).toEqual(['0 s', '1.00 s', '2.00 s']);
  });

  it('takes the unit of the nearest tick, so an axis crossing units still reads upwards', () => {
    expect(labels(durationUs, [0, 500, 1000, 1500])).toEqual(['0 µs', '500 µs', '1.00 ms', '1.50 ms']);
    expect(labels(bytes, [0, 512 * 1024, 1024 * 1024])).toEqual(['0 KiB', '512.0 KiB', '1.0 MiB']);
    expect(labels(durationUs, [-2000, 0, 2000])).toEqual(['-2.00 ms', '0 ms', '2.00 ms']);
  });

  it('leaves unitless and already-right zeros alone', () => {
    expect(labels(count, [0, 1000, 2000])).toEqual(['0', '1,000', '2,000']);
    expect(labels(cpuPercent, [0, 5, 10])).toEqual(['0%', '5%', '10%']);
    expect(labels(durationUs, [0, 200, 400])).toEqual(['0 µs', '200 µs', '400 µs']);
    expect(labels(durationUs, [0])).toEqual(['0 µs']);
  });

  it('is self-contained: the source the page inlines gives the same labels', () => {
    const page = new Function(`${browserFormatSource()}; return { axisTickLabel, formatDurationUs };`)() as { axisTickLabel: typeof axisTickLabel; formatDurationUs: typeof formatDurationUs };
    const values = [0, 2000, 4000];
    expect(values.map((v) => page.axisTickLabel((x) => page.formatDurationUs(x), v, 2000, values))).toEqual(['0 ms', '2.00 ms', '4.00 ms']);
  });
});

/** The slice of Chart.js this test reads in the page (the project's TypeScript has no DOM library). */
interface ChartPage {
  rtbenchReport?: { ready: boolean };
  Chart: { getChart(canvas: unknown): { scales: Record<string, { ticks: { value: number; label: string | string[] }[] }> } | undefined };
  document: { getElementById(id: string): unknown };
}

describeWithBrowser('the latency axis in headless Chromium', () => {
  it('labels the zero tick of a millisecond latency axis "0 ms"', async () => {
    // Push transports a few ms apart: the latency axis is linear from 0, its ticks in ms.
    const ms = (from: number, to: number): number[] => Array.from({ length: 200 }, (_, i) => Math.round(from + ((to - from) * i) / 199));
    const result = fixtureResult([fixturePhase('sse', { latenciesUs: ms(1500, 7000) }), fixturePhase('ws', { latenciesUs: ms(1200, 6000) })], { config: { workload: { pattern: 'broadcast' }, transports: [{ transport: 'sse' }, { transport: 'ws' }] } });
    const dir = await mkdtemp(join(tmpdir(), 'rtb-axis-'));
    const browser = await launchBrowser();
    try {
      const file = join(dir, 'report.html');
      await writeFile(file, renderHtmlReport([result]));
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const { page, watch } = await openWatchedPage(context, { offline: true });
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => (globalThis as unknown as ChartPage).rtbenchReport?.ready === true, null, { timeout: 10_000 });
      const ticks = await page.evaluate(() => {
        const { Chart, document } = globalThis as unknown as ChartPage;
        return Chart.getChart(document.getElementById('chart-latency'))!.scales.y.ticks.map((t) => ({ value: t.value, label: String(t.label) }));
      });
      expect(watch.pageErrors).toEqual([]);
      expect(ticks[0]).toEqual({ value: 0, label: '0 ms' });
      expect(ticks.length).toBeGreaterThan(2);
      for (const tick of ticks.slice(1)) expect(tick.label, JSON.stringify(ticks)).toMatch(/^\d+(\.\d+)? ms$/);
      await context.close();
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
