import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Highest value a histogram tracks without resizing: one hour in µs. */
const HIGHEST_US = 3_600_000_000;

/**
 * An integer histogram of µs values (3 significant digits). Pure-JS, never WebAssembly:
 * JS and WASM histograms do not merge with each other, and every histogram rtbench makes —
 * in any worker or process — must merge with every other.
 */
export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** How histograms travel between threads and into result files. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** One histogram holding every value of the given encoded histograms. */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const merged = newHistogram();
  for (const e of encoded) if (e) merged.add(decodeHistogram(e));
  return merged;
}

export interface HistogramSummary {
  count: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  mean: number | null;
}

/** Percentiles in the histogram's unit; nulls when it is empty (nothing measured is not zero). */
export function summarise(histogram: Histogram): HistogramSummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: null, p50: null, p90: null, p99: null, p999: null, max: null, mean: null };
  return {
    count,
    min: histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: Math.round(histogram.mean),
  };
}
