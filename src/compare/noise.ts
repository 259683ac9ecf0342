import { isDeterministic } from '../metrics/catalog.js';
import { mergeEncoded } from '../metrics/histogram.js';
import { latencyPercentileOf, type AnyMetricName } from '../metrics/latency-percentile.js';
import { phaseMetricValue } from '../result/metric-value.js';
import type { PhaseResult } from '../result/types.js';
import { quantileInterval, type QuantileInterval } from './quantile-interval.js';
import type { NoiseJudgement } from './types.js';
import { welchTest } from './welch-test.js';

/** Significance level of the t-test; the quantile intervals are at 1 − ALPHA confidence. */
export const ALPHA = 0.05;

/**
 * Is a difference in this metric between the two sides beyond noise?
 * 1. Both sides repeated (`run --repeat N`, N ≥ 2) and the metric measured in ≥ 2 repeats on
 *    each: Welch's t-test over the per-repeat values — the between-run spread is the primary
 *    judgement, for every metric that machine noise can move.
 * 2. Otherwise, latency percentiles below 100 (the catalogue's and any other, `latency.p95`):
 *    95 % distribution-free intervals of the quantile from the stored histograms (repeats
 *    merged, quantile-interval.ts); beyond noise only when the intervals do not overlap — and,
 *    for p50 and p99, the batch means of their per-second series agree. An interval unbounded
 *    above (too few events for that quantile) overlaps everything above its low end, so such
 *    a change is never called beyond noise.
 *    Single runs see only within-run noise, and two runs on a shared machine drift by a few
 *    percent: in cases 2 and 3 a change under 10 % is never beyond noise.
 * 3. Otherwise CPU, CPU per event and throughput: batch means of the window's per-second series.
 * Deterministic metrics (the catalogue's flag, for the arrivals both sides ran with) have no
 * noise, and other metrics of single runs no estimate: undefined — compare-metric then never
 * calls their change a regression.
 */
export function judgeNoise(metric: AnyMetricName, baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): NoiseJudgement | undefined {
  if (isDeterministic(metric, [...baseline, ...candidate].map((p) => p.params.arrival))) return undefined;
  const a = measured(metric, baseline);
  const b = measured(metric, candidate);
  if (baseline.length >= 2 && candidate.length >= 2 && a.length >= 2 && b.length >= 2) {
    const { pValue } = welchTest(a, b);
    return { method: 'welch-t-test', beyondNoise: pValue < ALPHA, pValue, baselineRuns: a.length, candidateRuns: b.length };
  }
  // Single runs: within-run noise only, and runs on a shared machine drift by a few percent
  // between them; a change below the practical floor is never called beyond noise.
  const large = Math.abs(relativeChange(metric, baseline, candidate)) >= practicalChange(metric);
  const batches = batchMeans(metric, baseline, candidate);
  const percentile = latencyPercentileOf(metric);
  if (batches !== undefined && percentile === undefined) return { ...batches, beyondNoise: batches.beyondNoise && large };
  if (percentile === undefined || percentile === 100) return undefined;
  const p = percentile / 100;
  const left = intervalOf(baseline, p);
  const right = intervalOf(candidate, p);
  if (left === undefined || right === undefined) return undefined;
  const overlap = reaches(left.interval, right.interval) && reaches(right.interval, left.interval);
  // The intervals treat a run's events as independent, but a run's machine state moves them
  // together: two identical runs' medians can differ by more than either interval allows.
  // Where the run keeps that quantile per second (p50, p99), the per-second series must agree
  // (batch means); elsewhere the change must also be practically large.
  // Nor can a latency change smaller than the scheduling jitter both runs recorded (the
  // server's typical per-second p99 loop delay): one late timer on either side moves it.
  const jitterUs = schedulingJitterUs(baseline, candidate);
  const delta = Math.abs(meanOf(measured(metric, candidate)) - meanOf(measured(metric, baseline)));
  const aboveJitter = jitterUs === undefined || delta > jitterUs;
  const practical = large && aboveJitter && (batches === undefined || batches.beyondNoise);
  return {
    method: 'quantile-interval',
    beyondNoise: !overlap && practical,
    ...(jitterUs === undefined ? {} : { jitterUs }),
    baselineInterval: left.interval,
    candidateInterval: right.interval,
    baselineSamples: left.samples,
    candidateSamples: right.samples,
  };
}

/** Seconds per batch: long enough that neighbouring batches are nearly independent, short enough to leave several per window. */
const BATCH_SECONDS = 2;
const MIN_BATCHES = 3;

/** The per-second series a metric is the window's mean of, for batch means (undefined: none). */
function perSecond(metric: AnyMetricName, phase: PhaseResult): number[] | undefined {
  const ts = phase.timeseries;
  const inWindow = (i: number): boolean => ts.t[i] - 1 >= ts.windowStartS && ts.t[i] <= ts.windowEndS;
  const pick = (series: readonly (number | null)[], value: (v: number, i: number) => number | null = (v) => v): number[] =>
    series.flatMap((v, i) => {
      if (v === null || !inWindow(i)) return [];
      const x = value(v, i);
      return x === null ? [] : [x];
    });
  switch (metric) {
    case 'server.cpu_percent':
      return pick(ts.serverCpuPercent);
    case 'generator.cpu_percent':
      return pick(ts.generatorCpuPercent);
    case 'events_per_second':
      return pick(ts.delivered);
    case 'latency.p50':
      return pick(ts.latencyP50Us);
    case 'latency.p99':
      return pick(ts.latencyP99Us);
    case 'server.cpu_us_per_event':
      // CPU % of one core over one second is 10⁴ µs per percent.
      return pick(ts.serverCpuPercent, (cpu, i) => (ts.delivered[i] > 0 ? (cpu * 10_000) / ts.delivered[i] : null));
    default:
      return undefined;
  }
}

/** Welch's t-test over batch means of both sides' per-second series, or undefined when a side has too few batches. */
function batchMeans(metric: AnyMetricName, baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): NoiseJudgement | undefined {
  const batchesOf = (phases: readonly PhaseResult[]): number[] | undefined => {
    const out: number[] = [];
    for (const phase of phases) {
      const values = perSecond(metric, phase);
      if (values === undefined) return undefined;
      for (let i = 0; i + BATCH_SECONDS <= values.length; i += BATCH_SECONDS) out.push(values.slice(i, i + BATCH_SECONDS).reduce((n, v) => n + v, 0) / BATCH_SECONDS);
    }
    return out;
  };
  const a = batchesOf(baseline);
  const b = batchesOf(candidate);
  if (a === undefined || b === undefined || a.length < MIN_BATCHES || b.length < MIN_BATCHES) return undefined;
  const { pValue } = welchTest(a, b);
  return { method: 'batch-means', beyondNoise: pValue < ALPHA, pValue: Number.isFinite(pValue) ? pValue : 1, baselineBatches: a.length, candidateBatches: b.length };
}

/** Single runs: below this relative change nothing is called beyond noise (between-run drift on a shared machine). */
const PRACTICAL_CHANGE = 0.1;
/**
 * The floor for CPU figures of single runs: CPU time per event moves with what else the
 * machine runs (caches, frequency, a sibling core's load) far more than latency quantiles do.
 * Two identical smoke runs in CI, another load starting between them, gave server CPU per
 * event 44.8 → 53.9 µs (+20 %), with batch means calling it beyond noise (p = 0.03).
 */
const PRACTICAL_CPU_CHANGE = 0.25;

export function practicalChange(metric: AnyMetricName): number {
  return metric === 'server.cpu_percent' || metric === 'server.cpu_us_per_event' || metric === 'generator.cpu_percent' ? PRACTICAL_CPU_CHANGE : PRACTICAL_CHANGE;
}

function relativeChange(metric: AnyMetricName, baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): number {
  const a = measured(metric, baseline);
  const b = measured(metric, candidate);
  return a.length > 0 && b.length > 0 && meanOf(a) !== 0 ? (meanOf(b) - meanOf(a)) / Math.abs(meanOf(a)) : 0;
}

function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((n, x) => n + x, 0) / xs.length;
}

/**
 * The larger side's median of the server's per-second p99 event-loop delay within the window,
 * µs: how far the machine's scheduling alone moves one delivery in a typical second of these
 * runs. The median, not the worst second, so one stall does not hide a real change. Undefined
 * when neither side recorded it (a target without a server-load source).
 */
export function schedulingJitterUs(baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): number | undefined {
  const medians = [...baseline, ...candidate].flatMap((phase) => {
    const ts = phase.timeseries;
    const values = ts.serverLoopDelayP99Us
      .filter((v, i): v is number => v !== null && ts.t[i] - 1 >= ts.windowStartS && ts.t[i] <= ts.windowEndS)
      .sort((x, y) => x - y);
    return values.length === 0 ? [] : [values[Math.floor((values.length - 1) / 2)]];
  });
  return medians.length === 0 ? undefined : Math.max(...medians);
}

function measured(metric: AnyMetricName, phases: readonly PhaseResult[]): number[] {
  return phases.map((p) => phaseMetricValue(p, metric)).filter((v): v is number => v !== null);
}

/** True when a's low end is not above b's high end (an unbounded high end reaches everything). */
function reaches(a: QuantileInterval, b: QuantileInterval): boolean {
  return b.high === null || a.low <= b.high;
}

function intervalOf(phases: readonly PhaseResult[], p: number): { interval: QuantileInterval; samples: number } | undefined {
  const histogram = mergeEncoded(phases.map((ph) => ph.histograms.latency));
  // Independent samples: one per event, not per delivery (see quantileInterval).
  const events = phases.reduce((sum, ph) => sum + (ph.metrics['publisher.events'] ?? 0), 0);
  const samples = events > 0 ? Math.min(events, histogram.totalCount) : histogram.totalCount;
  const interval = quantileInterval(histogram, p, samples, 1 - ALPHA);
  return interval === undefined ? undefined : { interval, samples };
}
