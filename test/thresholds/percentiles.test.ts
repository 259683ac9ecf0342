import { describe, expect, it } from 'vitest';
import type { LoadedResult } from '../../src/compare/comparable.js';
import { compareResults } from '../../src/compare/compare-results.js';
import { parseMetricSelection } from '../../src/compare/metric-selection.js';
import { readLatencyPercentile } from '../../src/metrics/latency-percentile.js';
import { evaluateThresholds } from '../../src/thresholds/evaluate-thresholds.js';
import { parseRelativeChecks, parseThreshold, parseThresholds } from '../../src/thresholds/grammar.js';
import { fixturePhase, fixtureResult } from '../report/html-fixtures.js';

/** 1, 2, …, n µs once each, times `scale`: exact in the histogram below 2048 µs. */
function uniformUs(n: number, scale = 1): number[] {
  return Array.from({ length: n }, (_, i) => (i + 1) * scale);
}

describe('latency percentile names', () => {
  it.each([
    ['latency.p95', 'latency.p95', 95],
    ['latency.p5', 'latency.p5', 5],
    ['latency.p05', 'latency.p5', 5],
    ['latency.p100', 'latency.p100', 100],
    ['latency.p(95)', 'latency.p95', 95],
    ['latency.p(99.99)', 'latency.p(99.99)', 99.99],
    ['latency.p9999', 'latency.p(99.99)', 99.99],
    ['latency.p(0.5)', 'latency.p(0.5)', 0.5],
    // The catalogue's own percentiles keep their catalogue names, however they are written.
    ['latency.p(50)', 'latency.p50', 50],
    ['latency.p(99.90)', 'latency.p999', 99.9],
    ['latency.p999', 'latency.p999', 99.9],
    ['latency.p99', 'latency.p99', 99],
  ])('%s is %s, percentile %d', (name, metric, percentile) => {
    expect(readLatencyPercentile(name)).toEqual({ metric, percentile });
  });

  it('names that are not latency percentiles are not read as one', () => {
    expect(readLatencyPercentile('latency.max')).toBeUndefined();
    expect(readLatencyPercentile('connect.p95')).toBeUndefined();
    expect(readLatencyPercentile('latency.pmean')).toBeUndefined();
  });
});

describe('thresholds on any latency percentile', () => {
  it.each([
    ['sse.latency.p95 < 50ms', 'sse', 'latency.p95', 50_000],
    ['ws.latency.p(99.99) < 1s', 'ws', 'latency.p(99.99)', 1_000_000],
    ['latency.p(50) < 5ms', '*', 'latency.p50', 5_000],
    ['ws[rate=0.5].latency.p(95) <= 2s', 'ws[rate=0.5]', 'latency.p95', 2_000_000],
    ['polling@1s.latency.p9999 < 2s', 'polling@1s', 'latency.p(99.99)', 2_000_000],
  ])('%s', (expression, selector, metric, limit) => {
    expect(parseThreshold(expression)).toMatchObject({ expression, selector, metric, limit });
  });

  it('are evaluated from the phase latency histogram, and agree with the stored figures', () => {
    // 1…1000 µs: the p-th percentile is p × 10 µs; the catalogue's p50 is stored as 500.
    const result = fixtureResult([fixturePhase('sse', { latenciesUs: uniformUs(1000), metrics: { 'latency.p50': 500 } }), fixturePhase('ws', { latenciesUs: [] })]);
    const outcomes = evaluateThresholds(parseThresholds(['sse.latency.p95 < 951us', 'sse.latency.p95 < 950us', 'sse.latency.p(99.99) == 1ms', 'sse.latency.p(12.5) == 125us', 'sse.latency.p(50) == 500us']), result);
    expect(outcomes.map((o) => [o.metric, o.actual, o.ok, o.message])).toEqual([
      ['latency.p95', 950, true, 'sse: latency.p95 950 µs < 951us'],
      ['latency.p95', 950, false, 'sse: latency.p95 950 µs, expected < 950us'],
      ['latency.p(99.99)', 1000, true, 'sse: latency.p(99.99) 1.00 ms == 1ms'],
      ['latency.p(12.5)', 125, true, 'sse: latency.p(12.5) 125 µs == 125us'],
      ['latency.p50', 500, true, 'sse: latency.p50 500 µs == 500us'],
    ]);
  });

  it('a phase with an empty latency histogram has no percentile: no data, a failure', () => {
    const result = fixtureResult([fixturePhase('ws', { latenciesUs: [] })]);
    const [outcome] = evaluateThresholds(parseThresholds(['ws.latency.p95 < 1s']), result);
    expect(outcome).toMatchObject({ metric: 'latency.p95', actual: null, ok: false, message: 'ws: no data — latency.p95 was not measured' });
  });
});

describe('compare on any latency percentile', () => {
  const loaded = (file: string, scale: number): LoadedResult => ({ file, result: fixtureResult([fixturePhase('sse', { latenciesUs: uniformUs(1000, scale) })]) });
  const baseline = loaded('a.json', 1);
  const slower = loaded('b.json', 2);

  it('--fail-on fails on a percentile that doubled beyond noise, from the histograms', () => {
    const [run] = compareResults([baseline, slower], { failOn: parseRelativeChecks(['sse.latency.p95 > +50%', 'latency.p(99.99) > +150%']) }).runs;
    expect(run.checks.map((c) => [c.expression, c.metric, c.actual, c.ok])).toEqual([
      ['sse.latency.p95 > +50%', 'latency.p95', 1, false],
      ['latency.p(99.99) > +150%', 'latency.p(99.99)', 1, true],
    ]);
    expect(run.checks[0].message).toMatch(/^sse: latency\.p95 950 µs → 1\.90 ms \(\+950 µs, \+100\.0%\) is > \+50%, beyond noise: 95% intervals .+ do not overlap; the runs' scheduling jitter \(server loop delay p99, median second\) was 900 µs$/);
  });

  it('--metrics shows a percentile beside the catalogue figures', () => {
    const metrics = parseMetricSelection('latency.p95,latency.p(99.99),latency.p(50)');
    expect(metrics).toEqual(['latency.p95', 'latency.p(99.99)', 'latency.p50']);
    const [run] = compareResults([baseline, slower], { metrics }).runs;
    expect(run.phases[0].metrics.map((m) => [m.metric, m.baseline, m.candidate, m.verdict])).toEqual([
      ['latency.p95', 950, 1900, 'regressed'],
      // 1000 events cannot bound a p99.99 from above: the doubling is not called beyond noise.
      ['latency.p(99.99)', 1000, 2000, 'within-noise'],
      // The fixtures store no catalogue p50: the stored figure is what compare reads for it.
      ['latency.p50', null, null, 'unknown'],
    ]);
  });

  it('--metrics refuses a malformed percentile with the grammar’s reason', () => {
    expect(() => parseMetricSelection('latency.p995')).toThrow(expect.objectContaining({ code: 'RTB_ERR_USAGE', message: '--metrics: "latency.p995" is ambiguous; write the percentile in parentheses, e.g. latency.p(99.5)' }));
  });
});
