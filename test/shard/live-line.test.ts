/** The coordinator's live line: counters added over shards, p99 from their second's histograms merged. */
import { describe, expect, it } from 'vitest';
import { encodeHistogram, newHistogram } from '../../src/metrics/histogram.js';
import type { SecondRecord } from '../../src/runner/progress.js';
import { liveLine } from '../../src/shard/live-line.js';

const record = (connected: number, delivered: number): SecondRecord => ({
  phase: 'sse', transport: 'sse', t: 3, stage: 'measuring', connected, delivered, requests: 0, bytesDown: 0,
  latencyP50Us: null, latencyP99Us: null, serverCpuPercent: null, serverRssBytes: null, generatorCpuPercent: null,
});

describe('liveLine', () => {
  it("adds the shards' counters and takes p99 over all their values, not the highest shard p99", () => {
    // Shard 0: 99 fast values; shard 1: one slow value. Over all 100 values p99 is fast; the highest shard p99 would be 50 ms.
    const fast = newHistogram();
    for (let i = 0; i < 99; i++) fast.recordValue(1000);
    const slow = newHistogram();
    slow.recordValue(50_000);
    const line = liveLine(1, [record(10, 200), record(5, 100), undefined], [encodeHistogram(fast), encodeHistogram(slow), undefined]);
    expect(line).toBe('phase 1 sse · measuring · 2/3 shards · 15 connected · 300 events/s · p99 1.00 ms');
  });

  it('says unknown, not 0, before any latency arrived', () => {
    expect(liveLine(2, [undefined, undefined], [undefined, undefined])).toBe('phase 2 · 0/2 shards · 0 connected · 0 events/s · p99 –');
  });
});
