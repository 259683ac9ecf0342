import { describe, expect, it } from 'vitest';
import { quantileInterval } from '../../src/compare/quantile-interval.js';
import { studentTTwoSidedP } from '../../src/compare/student-t.js';
import { welchTest } from '../../src/compare/welch-test.js';
import { judgeNoise, practicalChange, schedulingJitterUs } from '../../src/compare/noise.js';
import type { PhaseResult } from '../../src/result/types.js';
import { newHistogram } from '../../src/metrics/histogram.js';

/** A histogram holding 1, 2, …, n µs once each (exact below 2048 at 3 significant digits). */
function uniform(n: number) {
  const h = newHistogram();
  for (let v = 1; v <= n; v++) h.recordValue(v);
  return h;
}

describe("Student's t distribution (two-sided p)", () => {
  // Critical values from the t table: P(|T| ≥ t) = 0.05.
  it.each([
    [12.7062, 1],
    [4.302653, 2],
    [2.776445, 4],
    [2.228139, 10],
    [1.959964, 1e6],
  ])('t = %d with %d degrees of freedom gives p = 0.05', (t, df) => {
    expect(studentTTwoSidedP(t, df)).toBeCloseTo(0.05, 6);
  });

  it('t = 0 gives p = 1, an infinite t p = 0, and p falls as |t| grows', () => {
    expect(studentTTwoSidedP(0, 5)).toBe(1);
    expect(studentTTwoSidedP(Infinity, 5)).toBe(0);
    expect(studentTTwoSidedP(-3, 5)).toBeCloseTo(studentTTwoSidedP(3, 5), 12);
    expect(studentTTwoSidedP(3, 5)).toBeLessThan(studentTTwoSidedP(2, 5));
  });
});

describe("Welch's t-test", () => {
  it('matches a worked example (t, Welch–Satterthwaite df, p)', () => {
    // a: mean 20, variance 2.5; b: mean 24, variance 10 → se² = 0.5 + 2, t = 4/√2.5, df = 6.25 / (0.0625 + 1) = 5.882…
    const r = welchTest([18, 19, 20, 21, 22], [20, 22, 24, 26, 28]);
    expect(r.t).toBeCloseTo(4 / Math.sqrt(2.5), 10);
    expect(r.df).toBeCloseTo(6.25 / 1.0625, 10);
    expect(r.pValue).toBeCloseTo(studentTTwoSidedP(4 / Math.sqrt(2.5), 6.25 / 1.0625), 12);
    expect(r.pValue).toBeGreaterThan(0.02);
    expect(r.pValue).toBeLessThan(0.05);
  });

  it('figures that do not vary at all: equal means p = 1, different means p = 0', () => {
    expect(welchTest([155, 155], [155, 155]).pValue).toBe(1);
    expect(welchTest([155, 155], [156, 156]).pValue).toBe(0);
  });

  it('overlapping samples are not significant', () => {
    expect(welchTest([2.0, 2.4, 2.1], [2.2, 2.0, 2.5]).pValue).toBeGreaterThan(0.5);
  });
});

describe('distribution-free quantile interval from a histogram', () => {
  it('brackets the median of 1…1000 tightly, at exact binomial ranks', () => {
    const interval = quantileInterval(uniform(1000), 0.5, 1000)!;
    // Binomial(1000, 0.5): 2.5 % tails at about 469 and 531.
    expect(interval.low).toBeGreaterThanOrEqual(466);
    expect(interval.low).toBeLessThanOrEqual(472);
    expect(interval.high).toBeGreaterThanOrEqual(528);
    expect(interval.high).toBeLessThanOrEqual(534);
  });

  it('a smaller sample size widens the interval (events, not deliveries)', () => {
    const h = uniform(1000);
    const wide = quantileInterval(h, 0.5, 100)!;
    const narrow = quantileInterval(h, 0.5, 1000)!;
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high!).toBeGreaterThan(narrow.high!);
  });

  it('cannot bound a p99 from above with fewer than 368 samples, and says so (null)', () => {
    expect(quantileInterval(uniform(367), 0.99, 367)!.high).toBeNull();
    const bounded = quantileInterval(uniform(368), 0.99, 368)!;
    expect(bounded.high).toBe(368);
    expect(bounded.low).toBeGreaterThan(350);
  });

  it('an interval that reaches below the smallest sample starts at 0', () => {
    expect(quantileInterval(uniform(5), 0.5, 5)!.low).toBe(0);
  });

  it('an empty histogram has no interval', () => {
    expect(quantileInterval(newHistogram(), 0.5, 10)).toBeUndefined();
  });
});

describe("the runs' scheduling jitter", () => {
  /** A phase whose window is seconds 2..5 and whose server loop delay p99 per second is `delays`. */
  const phase = (delays: (number | null)[]) =>
    ({ timeseries: { t: delays.map((_, i) => i + 1), windowStartS: 1, windowEndS: 5, serverLoopDelayP99Us: delays } }) as unknown as PhaseResult;

  it('is the larger side’s median second within the window, so one stall does not set it', () => {
    // Window seconds 2..5: [900, 1000, 50000, 1100] → median (lower middle) 1000.
    const a = phase([99_999, 900, 1000, 50_000, 1100, 99_999]);
    const b = phase([null, 1200, 1300, null, 1250]);
    expect(schedulingJitterUs([a], [b])).toBe(1250);
  });

  it('is unknown when neither side recorded a server loop delay', () => {
    expect(schedulingJitterUs([phase([null, null])], [phase([])])).toBeUndefined();
  });
});

describe('single runs: the practical floor', () => {
  /** Eight in-window seconds of server CPU per event around `usPerEvent` (±1 %), 1000 events each. */
  const phase = (usPerEvent: number) => {
    const cpu = [1, -1, 1, -1, 1, -1, 1, -1].map((d) => ((usPerEvent * (1 + d / 100)) * 1000) / 10_000);
    return {
      params: { arrival: 'poisson' },
      metrics: { 'server.cpu_us_per_event': usPerEvent },
      timeseries: { t: cpu.map((_, i) => i + 1), windowStartS: 0, windowEndS: 8, serverCpuPercent: cpu, delivered: cpu.map(() => 1000), serverLoopDelayP99Us: [] },
    } as unknown as PhaseResult;
  };

  it('a CPU figure 20 % up is within noise however steady its seconds (drift between runs); 40 % up is beyond', () => {
    expect(practicalChange('server.cpu_us_per_event')).toBe(0.25);
    expect(practicalChange('latency.p50')).toBe(0.1);
    const within = judgeNoise('server.cpu_us_per_event', [phase(45)], [phase(54)]);
    expect(within).toMatchObject({ method: 'batch-means', beyondNoise: false });
    expect((within as { pValue: number }).pValue).toBeLessThan(0.001); // the batches alone would call it
    expect(judgeNoise('server.cpu_us_per_event', [phase(45)], [phase(63)])).toMatchObject({ method: 'batch-means', beyondNoise: true });
  });
});
