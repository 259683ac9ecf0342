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
 *    merged, quantile-interval.ts); beyond noise only when the intervals do not overlap. An interval unbounded above (too few events for that quantile)
 *    overlaps everything above its low end, so such a change is never called beyond noise.
 * Deterministic metrics (the catalogue's flag, for the arrivals both sides ran with) have no
 * noise, and other metrics of single runs no estimate: undefined.
 */
export function judgeNoise(metric: AnyMetricName, baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): NoiseJudgement | undefined {
  if (isDeterministic(metric, [...baseline, ...candidate].map((p) => p.params.arrival))) return undefined;
  const a = measured(metric, baseline);
  const b = measured(metric, candidate);
  if (baseline.length >= 2 && candidate.length >= 2 && a.length >= 2 && b.length >= 2) {
    const { pValue } = welchTest(a, b);
    return { method: 'welch-t-test', beyondNoise: pValue < ALPHA, pValue, baselineRuns: a.length, candidateRuns: b.length };
  }
  const percentile = latencyPercentileOf(metric);
  if (percentile === undefined || percentile === 100) return undefined;
  const p = percentile / 100;
  const left = intervalOf(baseline, p);
  const right = intervalOf(candidate, p);
  if (left === undefined || right === undefined) return undefined;
  const overlap = reaches(left.interval, right.interval) && reaches(right.interval, left.interval);
  return {
    method: 'quantile-interval',
    beyondNoise: !overlap,
    baselineInterval: left.interval,
    candidateInterval: right.interval,
    baselineSamples: left.samples,
    candidateSamples: right.samples,
  };
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
