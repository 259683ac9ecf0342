import { describe, expect, it } from 'vitest';
import { HistogramRecorder } from '../../src/clients/histogram-recorder.js';
import { encodeHistogram, newHistogram, summarise, type Histogram } from '../../src/metrics/histogram.js';
import { seededRandom } from '../../src/publisher/rng.js';

/** Everything a reader of the histogram can see: the encoded counts, and what encoding leaves out. */
function state(h: Histogram): object {
  return { encoded: encodeHistogram(h), total: h.totalCount, min: h.minNonZeroValue, max: h.maxValue, mean: h.mean, summary: summarise(h) };
}

/** Records `values` one by one into a histogram, and through a recorder (flushed every `flushEvery`) into another. */
function both(values: readonly number[], flushEvery = Number.POSITIVE_INFINITY): { direct: Histogram; batched: Histogram } {
  const direct = newHistogram();
  const recorder = new HistogramRecorder(newHistogram());
  values.forEach((v, i) => {
    direct.recordValue(v);
    recorder.record(v);
    if ((i + 1) % flushEvery === 0) recorder.flushed();
  });
  return { direct, batched: recorder.flushed() };
}

describe('HistogramRecorder: batched records leave the histogram exactly as one-by-one records', () => {
  it('recordAt with the index record() returned (a value in two histograms, indexed once) records the same as record()', () => {
    const random = seededRandom(11);
    const values: number[] = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 1.5];
    for (let i = 0; i < 20_000; i++) values.push(Math.round(Math.exp(random() * 21)));
    const first = new HistogramRecorder(newHistogram());
    const second = new HistogramRecorder(newHistogram());
    const direct = newHistogram();
    for (const v of values) {
      second.recordAt(v, first.record(v));
      direct.recordValue(v);
    }
    expect(state(second.flushed())).toEqual(state(direct));
    expect(state(first.flushed())).toEqual(state(direct));
  });

  it('every value below 2^16; alone, each below 2^12 and each near a power of two (a bucket boundary)', () => {
    const alone = Array.from({ length: 4096 }, (_, v) => v);
    for (let k = 12; k < 32; k++) for (let d = -2; d <= 2; d++) alone.push(2 ** k + d);
    for (const v of alone) {
      const { direct, batched } = both([v]);
      if (direct.maxValue !== batched.maxValue || direct.minNonZeroValue !== batched.minNonZeroValue) expect({ v, max: batched.maxValue, min: batched.minNonZeroValue }).toEqual({ v, max: direct.maxValue, min: direct.minNonZeroValue });
    }
    const all = Array.from({ length: 65_536 }, (_, v) => v);
    const { direct, batched } = both(all);
    expect(state(batched)).toEqual(state(direct));
  });

  it('latency-like values, many flushes, with zeros, powers of two and their neighbours up to 2^32 and past it', () => {
    const random = seededRandom(7);
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) values.push(Math.round(Math.exp(random() * 21)));
    for (let k = 0; k <= 33; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
    values.push(0, 0, 3_600_000_001, 4_294_967_295, 12.5);
    for (const flushEvery of [1, 7, 1000, Number.POSITIVE_INFINITY]) {
      const { direct, batched } = both(values, flushEvery);
      expect(state(batched), `flush every ${flushEvery}`).toEqual(state(direct));
    }
  });

  it('one value many times, and min and max in one bucket', () => {
    expect(state(both(Array(1000).fill(14_003)).batched)).toEqual(state(both(Array(1000).fill(14_003)).direct));
    const sameBucket = [14_003, 14_001, 14_007, 14_005, 14_001];
    expect(state(both(sameBucket).batched)).toEqual(state(both(sameBucket).direct));
    expect(state(both([0, 0, 0]).batched)).toEqual(state(both([0, 0, 0]).direct));
  });

  it('reset empties the histogram and what is pending', () => {
    const recorder = new HistogramRecorder(newHistogram());
    recorder.record(5);
    recorder.flushed();
    recorder.record(7_000);
    recorder.reset();
    recorder.record(123);
    const direct = newHistogram();
    direct.recordValue(123);
    expect(state(recorder.flushed())).toEqual(state(direct));
  });
});
