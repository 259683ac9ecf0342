import * as hdr from 'hdr-histogram-js';
import type { Histogram } from '../../metrics/histogram.js';

/** One point of a percentile distribution: `valueUs` is the value at or below which `percentile` % of samples fall. */
export interface PercentilePoint {
  /** 0–100. */
  readonly percentile: number;
  /**
   * Where the point sits on the HdrHistogram-style axis, 1 / (1 − percentile/100):
   * 50 % → 2, 90 % → 10, 99 % → 100, 99.9 % → 1000. The 100 % point (the maximum) would
   * be infinite; it is placed at the sample count N (where the N-th of N samples sits),
   * or at the last point before it if that is further right.
   */
  readonly x: number;
  readonly valueUs: number;
}

/**
 * The percentile distribution of a histogram, as HdrHistogram's
 * `outputPercentileDistribution` walks it: `ticksPerHalfDistance` steps between 0 % and
 * 50 %, as many between 50 % and 75 %, and so on towards 100 %, ending at the maximum.
 * Empty histogram → no points. Values are the histogram's highest-equivalent values (µs).
 */
export function percentileCurve(histogram: Histogram, ticksPerHalfDistance = 5): PercentilePoint[] {
  const count = histogram.totalCount;
  if (count === 0) return [];
  if (!(histogram instanceof hdr.JsHistogram)) throw new TypeError('percentileCurve needs a JS (not WebAssembly) histogram');
  const iterator = histogram.percentileIterator;
  iterator.reset(ticksPerHalfDistance);
  const points: PercentilePoint[] = [];
  while (iterator.hasNext()) {
    const step = iterator.next();
    const percentile = step.percentileLevelIteratedTo;
    const before = points.at(-1)?.x ?? 1;
    const x = percentile >= 100 ? Math.max(count, before) : 1 / (1 - percentile / 100);
    points.push({ percentile, x, valueUs: step.valueIteratedTo });
  }
  return points;
}
