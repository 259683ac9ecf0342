import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDurationUs, formatPercent, formatRatio } from '../../src/format.js';
import { newHistogram } from '../../src/metrics/histogram.js';
import { browserFormatSource } from '../../src/report/html/browser-format.js';
import type { BarChartSpec, ChartSpec, LineChartSpec } from '../../src/report/html/chart-spec.js';
import { escapeScriptSource, jsonForScript } from '../../src/report/html/html-escape.js';
import { percentileTicks } from '../../src/report/html/latency-chart.js';
import { percentileCurve } from '../../src/report/html/percentile-curve.js';
import { renderHtmlReport } from '../../src/report/html/render-html-report.js';
import { fileLabels, reportPhases } from '../../src/report/html/report-phases.js';
import { sweepCharts } from '../../src/report/html/sweep-charts.js';
import { sweepCurves } from '../../src/report/html/sweep-curves.js';
import { windowBands } from '../../src/report/html/timeseries-charts.js';
import { htmlReportPath } from '../../src/report/html/write-html-report.js';
import { fixturePhase, fixtureResult } from './html-fixtures.js';

/** The chart specs a report embeds for its page script. */
function embeddedCharts(html: string): ChartSpec[] {
  const match = html.match(/<script type="application\/json" id="rtbench-report-data">([\s\S]*?)<\/script>/);
  expect(match).not.toBeNull();
  return (JSON.parse(match![1]) as { charts: ChartSpec[] }).charts;
}

function intervalSweepResult() {
  return fixtureResult([
    fixturePhase('polling', { variant: '250ms', sweep: { param: 'interval', value: 250_000, label: '250ms' }, metrics: { 'latency.p50': 125_000, requests_per_second: 40, requests_per_event: 0.2 }, latenciesUs: [100_000, 125_000, 250_000] }),
    fixturePhase('polling', { variant: '1s', sweep: { param: 'interval', value: 1_000_000, label: '1s' }, metrics: { 'latency.p50': 500_000, requests_per_second: 10, requests_per_event: 0.05 }, latenciesUs: [400_000, 500_000, 990_000] }),
    fixturePhase('polling', { variant: '500ms', sweep: { param: 'interval', value: 500_000, label: '500ms' }, metrics: { 'latency.p50': 250_000, requests_per_second: 20, requests_per_event: 0.1 }, latenciesUs: [250_000] }),
    fixturePhase('sse', { metrics: { 'latency.p50': 2_000, requests_per_second: 0, requests_per_event: 0 }, latenciesUs: [1_500, 2_000, 4_000] }),
  ]);
}

describe('percentileCurve', () => {
  it('walks 1..1000 µs from the minimum at x = 1 to the maximum, with the value at p reached at x = 1/(1−p)', () => {
    const h = newHistogram();
    for (let v = 1; v <= 1000; v++) h.recordValue(v);
    const curve = percentileCurve(h);
    expect(curve[0]).toEqual({ percentile: 0, x: 1, valueUs: 1 });
    const at = (p: number) => curve.find((point) => point.percentile === p)!;
    expect(at(50)).toMatchObject({ x: 2, valueUs: 500 });
    expect(at(90).x).toBeCloseTo(10, 9);
    expect(at(90).valueUs).toBe(900);
    expect(at(99.21875).valueUs).toBe(993); // the 5-ticks-per-half-distance walk HdrHistogram prints
    const last = curve.at(-1)!;
    expect(last).toMatchObject({ percentile: 100, valueUs: 1000 });
    expect(last.x).toBeGreaterThanOrEqual(1000);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].x).toBeGreaterThanOrEqual(curve[i - 1].x);
      expect(curve[i].valueUs).toBeGreaterThanOrEqual(curve[i - 1].valueUs);
    }
  });

  it('shows a tail that a median hides: 99 % at 1 ms, 1 % at 50 ms', () => {
    const h = newHistogram();
    for (let i = 0; i < 990; i++) h.recordValue(1000);
    for (let i = 0; i < 10; i++) h.recordValue(50_000);
    const curve = percentileCurve(h);
    const below = curve.filter((p) => p.x <= 100);
    const above = curve.filter((p) => p.x > 100);
    expect(new Set(below.map((p) => p.valueUs))).toEqual(new Set([1000]));
    expect(above.length).toBeGreaterThan(0);
    for (const p of above) expect(p.valueUs).toBeGreaterThanOrEqual(49_950); // 3 significant digits
    for (const p of above) expect(p.valueUs).toBeLessThanOrEqual(50_050);
  });

  it('has no points for an empty histogram', () => {
    expect(percentileCurve(newHistogram())).toEqual([]);
  });

  it('labels the log axis 0 %, 50 %, 90 %, 99 %, 99.9 %, 99.99 %', () => {
    expect(percentileTicks(10_000)).toEqual([
      { value: 1, label: '0%' },
      { value: 2, label: '50%' },
      { value: 10, label: '90%' },
      { value: 100, label: '99%' },
      { value: 1000, label: '99.9%' },
      { value: 10_000, label: '99.99%' },
    ]);
  });
});

describe('sweep curves', () => {
  it('draws an interval sweep as one polling curve ordered by interval, with SSE as a flat reference', () => {
    const result = intervalSweepResult();
    const phases = reportPhases([result], ['r']);
    const { curves, references } = sweepCurves(phases, 'interval', 'latency.p50');
    expect(curves).toHaveLength(1);
    expect(curves[0].label).toBe('polling');
    expect(curves[0].points).toEqual([
      { value: 250_000, y: 125_000 },
      { value: 500_000, y: 250_000 },
      { value: 1_000_000, y: 500_000 },
    ]);
    expect(references).toEqual([expect.objectContaining({ label: 'sse', transport: 'sse', y: 2_000 })]);
  });

  it('folds repeats of one sweep value into their median, one curve per transport', () => {
    const sweep = (value: number) => ({ param: 'clients' as const, value, label: String(value) });
    const result = fixtureResult([
      fixturePhase('ws', { sweep: sweep(10), repeat: 1, metrics: { 'server.cpu_percent': 2 } }),
      fixturePhase('ws', { sweep: sweep(100), repeat: 1, metrics: { 'server.cpu_percent': 10 } }),
      fixturePhase('sse', { sweep: sweep(10), repeat: 1, metrics: { 'server.cpu_percent': 3 } }),
      fixturePhase('ws', { sweep: sweep(10), repeat: 2, metrics: { 'server.cpu_percent': 4 } }),
      fixturePhase('ws', { sweep: sweep(100), repeat: 2, metrics: {} }),
    ]);
    const { curves, references } = sweepCurves(reportPhases([result], ['r']), 'clients', 'server.cpu_percent');
    expect(references).toEqual([]);
    const ws = curves.find((c) => c.transport === 'ws')!;
    expect(ws.points).toEqual([
      { value: 10, y: 3 },
      { value: 100, y: 10 },
    ]);
    expect(curves.find((c) => c.transport === 'sse')!.points).toEqual([{ value: 10, y: 3 }]);
  });

  it('puts the sweep values on x with their labels and spans the reference across them', () => {
    const charts = sweepCharts(reportPhases([intervalSweepResult()], ['r']), 'interval');
    const staleness = charts[0] as LineChartSpec;
    expect(staleness.title).toBe('Median staleness (latency p50) against polling interval');
    expect(staleness.x.ticks).toEqual([
      { value: 250_000, label: '250 ms' },
      { value: 500_000, label: '500 ms' },
      { value: 1_000_000, label: '1.00 s' },
    ]);
    expect(staleness.y.scale).toBe('logarithmic'); // 2 ms beside 500 ms
    const reference = staleness.datasets.find((d) => d.reference)!;
    expect(reference.label).toBe('sse (not swept)');
    expect(reference.points.map((p) => [p.x, p.y])).toEqual([
      [250_000, 2_000],
      [1_000_000, 2_000],
    ]);
    const requests = charts[1] as LineChartSpec;
    expect(requests.datasets[0].points.map((p) => p.tip)).toEqual(['polling: 40.0/s at 250 ms', 'polling: 20.0/s at 500 ms', 'polling: 10.0/s at 1.00 s']);
  });
});

describe('renderHtmlReport', () => {
  it('is one self-contained page: Chart.js inlined, no external resource, a canvas per chart spec', () => {
    const html = renderHtmlReport([intervalSweepResult()]);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Chart.js v4');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toContain('sourceMappingURL');
    const charts = embeddedCharts(html);
    const canvases = [...html.matchAll(/<canvas id="([^"]+)"/g)].map((m) => m[1]);
    expect(canvases.sort()).toEqual(charts.map((c) => c.id).sort());
    // The fixture has latency histograms, p50, requests and per-second series, and no p99 or server figures:
    // latency, requests per event, staleness and requests/s against interval, and the three time series.
    expect(charts.map((c) => c.id)).toEqual(['chart-latency', 'chart-cost-0', 'chart-sweep-interval-0', 'chart-sweep-interval-1', 'chart-time-0', 'chart-time-1', 'chart-time-2']);
  });

  it('formats the summary with format.ts and puts the latency histogram on the percentile axis', () => {
    const html = renderHtmlReport([intervalSweepResult()]);
    expect(html).toMatch(/polling@250ms<\/td><td class="n">–<\/td><td class="n">125 ms<\/td>/);
    const latency = embeddedCharts(html).find((c) => c.id === 'chart-latency') as LineChartSpec;
    expect(latency.datasets.map((d) => d.label)).toEqual(['polling@250ms', 'polling@1s', 'polling@500ms', 'sse']);
    const sse = latency.datasets[3];
    expect(sse.points[0]).toMatchObject({ x: 1, y: 1_500 });
    expect(sse.points.at(-1)!.y).toBeGreaterThanOrEqual(4_000);
    expect(sse.points.at(-1)!.y).toBeLessThan(4_004);
    expect(sse.points.at(-1)!.tip).toBe('sse: max 4.00 ms');
    expect(latency.x.ticks!.map((t) => t.label)).toEqual(['0%', '50%', '90%', '99%', '99.9%', '99.99%']);
  });

  it('gives each transport one hue in every chart, and labels phases by file when there are several', () => {
    const before = intervalSweepResult();
    const after = intervalSweepResult();
    const html = renderHtmlReport([before, after], { labels: ['before', 'after'] });
    const bars = embeddedCharts(html).find((c) => c.id === 'chart-cost-0') as BarChartSpec;
    expect(bars.labels).toEqual([
      'before · polling@250ms',
      'before · polling@1s',
      'before · polling@500ms',
      'before · sse',
      'after · polling@250ms',
      'after · polling@1s',
      'after · polling@500ms',
      'after · sse',
    ]);
    expect(bars.colors[3]).toBe(bars.colors[7]); // sse: same colour in both files
    expect(bars.fills[3]).not.toBe(bars.fills[7]); // … the second file's fill is translucent
    const latency = embeddedCharts(html).find((c) => c.id === 'chart-latency') as LineChartSpec;
    const sse = latency.datasets.filter((d) => d.label.endsWith('sse'));
    expect(sse[0].color).toBe(bars.colors[3]);
    expect(sse[0].dash).toEqual([]);
    expect(sse[1].dash.length).toBeGreaterThan(0);
    expect(fileLabels(3, ['a', 'a', ''])).toEqual(['a', 'a (2)', 'run 3']);
  });

  it('warns prominently when the generator saturated, and lists phase warnings', () => {
    const saturated = fixtureResult([fixturePhase('ws', { saturated: true, warnings: ['generator CPU at 97%: latency is inflated'], latenciesUs: [1000] })]);
    const html = renderHtmlReport([saturated]);
    expect(html).toContain('id="generator-saturated"');
    expect(html).toMatch(/The load generator saturated<\/strong> during <strong>ws<\/strong>/);
    expect(html).toContain('generator CPU at 97%: latency is inflated');
    expect(renderHtmlReport([intervalSweepResult()])).not.toContain('id="generator-saturated"');
  });

  it('escapes text from the result, so no field can open a script', () => {
    const hostile = fixtureResult([fixturePhase('sse', { warnings: ['</script><script>alert(1)</script>'], latenciesUs: [1000] })], {
      scenario: { name: '<img src=x onerror=alert(1)>', description: '</script>' },
    });
    const html = renderHtmlReport([hostile]);
    expect(html.match(/<script\b/g)).toHaveLength(3); // data, Chart.js, the page script
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(jsonForScript({ a: '</script>' })).toBe('{"a":"\\u003c/script>"}');
    expect(escapeScriptSource('x = "</script>"')).toBe('x = "<\\/script>"');
  });

  it('draws the other phases when one latency histogram is damaged, and names it', () => {
    const damaged = fixturePhase('polling', { variant: '1s', latenciesUs: [500_000] });
    damaged.histograms.latency = 'bm90IGEgaGlzdG9ncmFt';
    const html = renderHtmlReport([fixtureResult([damaged, fixturePhase('ws', { latenciesUs: [1_000, 2_000] })])]);
    const latency = embeddedCharts(html).find((c) => c.id === 'chart-latency') as LineChartSpec;
    expect(latency.datasets.map((d) => d.label)).toEqual(['ws']);
    expect(latency.caption).toContain('Not drawn, their latency histogram is unreadable: polling@1s.');
  });

  it('says a figure was not measured instead of drawing an empty chart', () => {
    const html = renderHtmlReport([intervalSweepResult()]);
    expect(html).toContain('Server memory per connection</h3></figcaption><p class="muted">not measured: the target reported no server load');
  });

  it('shows the config with units read from the names', () => {
    const html = renderHtmlReport([intervalSweepResult()]);
    expect(html).toContain('<dt>durationUs</dt><dd>2.00 s</dd>');
    expect(html).toContain('<dt>sweep.values</dt><dd>250 ms, 1.00 s</dd>');
    expect(html).toContain('<dt>transports[0]</dt><dd>transport polling, intervalsUs 250 ms, 1.00 s</dd>');
    expect(html).toContain('<dt>memory</dt><dd>8.00 GiB</dd>');
  });
});

describe('report helpers', () => {
  it('runs format.ts itself in the page: the embedded source formats exactly as Node does', () => {
    const fns = new Function(`${browserFormatSource()}; return { formatDurationUs, formatBytes, formatCount, formatRatio, formatPercent };`)() as Record<string, (v: number, d?: number) => string>;
    for (const v of [0, 812, 1234, 99_999, 2_500_000]) expect(fns.formatDurationUs(v)).toBe(formatDurationUs(v));
    for (const v of [0, 512, 2048, 5_000_000, 3 * 1024 ** 3]) expect(fns.formatBytes(v)).toBe(formatBytes(v));
    for (const v of [0, 0.0123, 3.14159, 1234.5]) expect(fns.formatRatio(v)).toBe(formatRatio(v));
    expect(fns.formatCount(1_234_567)).toBe(formatCount(1_234_567));
    expect(fns.formatPercent(0.9987, 2)).toBe(formatPercent(0.9987, 2));
  });

  it('writes the report beside the result by default, and merges coinciding measurement windows', () => {
    expect(htmlReportPath('results/2026-01-02T03-04-05Z-default.json')).toBe('results/2026-01-02T03-04-05Z-default.html');
    expect(htmlReportPath('out/run')).toBe('out/run.html');
    const ts = fixturePhase('ws').timeseries;
    expect(windowBands([ts, { ...ts, windowStartS: 0.62, windowEndS: 2.62 }, { ...ts, windowStartS: 1.6, windowEndS: 3.6 }])).toEqual([
      { from: 0.6, to: 2.6 },
      { from: 1.6, to: 3.6 },
    ]);
  });
});

describe('the memory-per-connection chart', () => {
  it('carries the table\'s caveat when a phase had fewer than 1000 clients, and not otherwise', async () => {
    const { costCharts } = await import('../../src/report/html/cost-charts.js');
    const few = fixtureResult([fixturePhase('sse', { latenciesUs: [1000] })]);
    few.phases[0].metrics['server.memory_per_connection'] = 4096;
    const caption = (r: typeof few): string => (costCharts(reportPhases([r], ['r'])).find((c) => c.title === 'Server memory per connection') as { caption: string }).caption;
    expect(caption(few)).toContain('Careful: below 1000 clients it mostly measures the server warming up, not its connections.');
    const many = fixtureResult([fixturePhase('sse', { latenciesUs: [1000] })]);
    many.phases[0].metrics['server.memory_per_connection'] = 4096;
    many.phases[0].params.clients = 5000;
    expect(caption(many)).toBe('(Peak RSS − RSS before clients) / connected clients.');
  });
});

describe('the report header', () => {
  it('shows the configuration that ran, not only the scenario\'s description', () => {
    const html = renderHtmlReport([fixtureResult([fixturePhase('sse', { latenciesUs: [1000] }), fixturePhase('ws', { latenciesUs: [1000] })])]);
    expect(html).toContain('ran: sse, ws · 10 clients · broadcast, 20 events/s on each of 1 topics, 64 B payload');
  });
});
