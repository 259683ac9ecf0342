import { binomialDistribution, probit } from 'simple-statistics';
import type { Histogram } from '../metrics/histogram.js';

/** A confidence interval in the histogram's unit; `high` null when the sample cannot bound the quantile from above. */
export interface QuantileInterval {
  readonly low: number;
  readonly high: number | null;
}

/**
 * A distribution-free confidence interval for the p-quantile of a latency distribution, read
 * from its HDR histogram. Of n independent samples, the number B at or below the true
 * quantile is Binomial(n, p); so the order statistics X(l) and X(u) bracket the quantile with
 * probability P(l ≤ B < u). The ranks are chosen with at most (1 − confidence)/2 in each tail,
 * from the exact binomial distribution (the normal approximation only beyond a million
 * samples). When no rank is far enough out, that side is unbounded — below, the interval
 * starts at 0; above, `high` is null: 27 events cannot bound a p99 from above, and saying
 * so is the honest answer.
 *
 * `sampleSize` is the number of independent samples, which may be fewer than the values
 * recorded: deliveries of one event to many clients share its publish and the server's
 * fan-out, so the caller passes the number of events, and the interval is wider, not falsely
 * narrow. Undefined when the histogram is empty.
 */
export function quantileInterval(histogram: Histogram, p: number, sampleSize: number, confidence = 0.95): QuantileInterval | undefined {
  const n = Math.min(Math.floor(sampleSize), histogram.totalCount);
  if (n < 1) return undefined;
  const tail = (1 - confidence) / 2;
  const { low, high } = exactRanks(n, p, tail) ?? normalRanks(n, p, tail);
  return { low: low < 1 ? 0 : valueAtRank(histogram, low, n), high: high > n ? null : valueAtRank(histogram, high, n) };
}

/** Ranks l (largest with P(B ≤ l−1) ≤ tail) and u (smallest with P(B ≤ u−1) ≥ 1 − tail); 0 and n+1 mean unbounded. */
function exactRanks(n: number, p: number, tail: number): { low: number; high: number } | undefined {
  const pmf = binomialDistribution(n, p);
  if (pmf === undefined) return undefined;
  let cumulative = 0;
  let low = 0;
  for (let k = 0; k <= n; k++) {
    cumulative += pmf[k] ?? 0;
    if (cumulative <= tail) low = k + 1;
    if (cumulative >= 1 - tail) return { low, high: k + 1 };
  }
  return { low, high: n + 1 };
}

function normalRanks(n: number, p: number, tail: number): { low: number; high: number } {
  const half = probit(1 - tail) * Math.sqrt(n * p * (1 - p));
  return { low: Math.max(0, Math.floor(n * p - half)), high: Math.ceil(n * p + half) + 1 };
}

/** The value of rank r (1-based) among n samples, read at the matching percentile of the histogram. */
function valueAtRank(histogram: Histogram, rank: number, n: number): number {
  return rank >= n ? histogram.maxValue : histogram.getValueAtPercentile((100 * rank) / n);
}
