import { describe, expect, it } from 'vitest';
import { ArrivalProcess } from '../../src/publisher/arrivals.js';
import { seededRandom } from '../../src/publisher/rng.js';

const START_US = 5_000_000;

/** The first `n` scheduled times of an arrival process. */
function times(arrival: 'fixed' | 'poisson', ratePerS: number, n: number, seed = 1): number[] {
  const arrivals = new ArrivalProcess(arrival, ratePerS, START_US, seededRandom(seed));
  const out = [arrivals.nextUs];
  for (let i = 1; i < n; i++) out.push(arrivals.advance());
  return out;
}

function gapsOf(ts: readonly number[]): number[] {
  return ts.slice(1).map((t, i) => t - ts[i]);
}

describe('fixed arrivals', () => {
  it('are exactly 1/rate apart, the first one gap after the start', () => {
    expect(times('fixed', 4, 5)).toEqual([5_250_000, 5_500_000, 5_750_000, 6_000_000, 6_250_000]);
  });

  it('do not drift when the gap is not a whole µs: event k is at start + k/rate, rounded', () => {
    const ts = times('fixed', 3, 3000);
    ts.forEach((t, i) => expect(t).toBe(Math.round(START_US + ((i + 1) * 1e6) / 3)));
    expect(ts[2999]).toBe(START_US + 1_000_000_000);
    expect(new Set(gapsOf(ts))).toEqual(new Set([333_333, 333_334]));
  });

  it('nextUs stays on the upcoming event until advance() moves on', () => {
    const arrivals = new ArrivalProcess('fixed', 10, 0, seededRandom(1));
    expect([arrivals.nextUs, arrivals.nextUs]).toEqual([100_000, 100_000]);
    expect(arrivals.advance()).toBe(200_000);
    expect(arrivals.nextUs).toBe(200_000);
  });
});

describe('Poisson arrivals (seeded)', () => {
  // 20 000 exponential gaps at 100 events/s: mean gap 10 ms. The sample mean has a standard
  // error of 10 ms / √n = 71 µs and the sample standard deviation one of about 10 ms · √(2/n)
  // = 100 µs; the bounds are 4 standard errors, so a seeded stream that meets theory passes
  // and a wrong rate or a non-exponential gap does not.
  const n = 20_000;
  const meanGapUs = 10_000;
  const gaps = gapsOf(times('poisson', 100, n + 1, 42));

  it('have the configured mean rate', () => {
    const mean = gaps.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - meanGapUs)).toBeLessThan(4 * (meanGapUs / Math.sqrt(n)));
  });

  it('have exponential gaps: standard deviation equal to the mean, and P(gap > mean) = 1/e', () => {
    const mean = gaps.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(sd - meanGapUs)).toBeLessThan(4 * meanGapUs * Math.sqrt(2 / n));
    // A proportion's standard error: √(p(1−p)/n) = 0.0034.
    const longer = gaps.filter((g) => g > meanGapUs).length / n;
    expect(Math.abs(longer - Math.exp(-1))).toBeLessThan(4 * Math.sqrt((Math.exp(-1) * (1 - Math.exp(-1))) / n));
  });

  it('are never earlier than the previous event, and the first comes after the start', () => {
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0);
    expect(times('poisson', 100, 1, 42)[0]).toBeGreaterThan(START_US);
  });

  it('repeat exactly for a seed and differ for another', () => {
    expect(times('poisson', 50, 100, 7)).toEqual(times('poisson', 50, 100, 7));
    expect(times('poisson', 50, 100, 8)).not.toEqual(times('poisson', 50, 100, 7));
  });
});
