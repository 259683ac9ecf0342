import { describe, expect, it } from 'vitest';
import { encodeHistogram, mergeEncoded, newHistogram, summarise } from '../../src/metrics/histogram.js';
import { seededRandom } from '../../src/publisher/rng.js';

describe('histograms travel encoded and merge exactly', () => {
  it('the merge of per-worker histograms equals one histogram of the same values', () => {
    const random = seededRandom(42);
    const workers = [newHistogram(), newHistogram(), newHistogram()];
    const single = newHistogram();
    for (let i = 0; i < 30_000; i++) {
      // Latency-like values from 50 µs to ~2 s, heavy-tailed.
      const value = Math.round(50 + Math.exp(random() * 10) * 100);
      workers[i % 3].recordValue(value);
      single.recordValue(value);
    }
    // Histograms travel encoded, so the whole is compared after the same round trip.
    const merged = mergeEncoded(workers.map(encodeHistogram));
    const whole = mergeEncoded([encodeHistogram(single)]);
    expect(merged.totalCount).toBe(30_000);
    expect(summarise(merged)).toEqual(summarise(whole));
    for (const p of [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) {
      expect(merged.getValueAtPercentile(p), `p${p}`).toBe(whole.getValueAtPercentile(p));
      // …and the round trip moves no percentile by more than the 3-digit resolution.
      expect(Math.abs(merged.getValueAtPercentile(p) - single.getValueAtPercentile(p)) / single.getValueAtPercentile(p)).toBeLessThanOrEqual(0.001);
    }
  });

  it('an empty histogram summarises to nulls, not zeros', () => {
    expect(summarise(newHistogram())).toEqual({ count: 0, min: null, p50: null, p90: null, p99: null, p999: null, max: null, mean: null });
  });

  it('keeps 3 significant digits across the range', () => {
    const h = newHistogram();
    for (const v of [1, 999, 123_456, 59_999_999]) h.recordValue(v);
    const s = summarise(h);
    expect(s.min).toBe(1);
    expect(Math.abs(s.max! - 59_999_999) / 59_999_999).toBeLessThan(0.001);
  });
});
