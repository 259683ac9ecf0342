/**
 * A shard owes its subscribers every other shard's window events without being told them:
 * the replayed schedule must be exactly what a real Publisher of that shard sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowUs } from '../../src/clock.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { Publisher } from '../../src/publisher/publisher.js';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { foreignStreams, scheduledStreams } from '../../src/shard/foreign-streams.js';
import { clientSlice, shardOriginKey, shardPublisherSeed, shardRate } from '../../src/shard/split.js';
import { startServer } from '../helpers/server.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const sorted = <T extends { topicIndex: number; originKey: number }>(list: T[]): T[] => [...list].sort((a, b) => a.originKey - b.originKey || a.topicIndex - b.topicIndex);

describe('the deterministic split', () => {
  it('slices clients into contiguous ranges that cover every client once, sizes within one', () => {
    for (const [total, count] of [[6, 3], [7, 3], [1000, 7], [3, 3]]) {
      const slices = Array.from({ length: count }, (_, i) => clientSlice(total, i, count));
      expect(slices[0].first).toBe(0);
      for (let i = 1; i < count; i++) expect(slices[i].first).toBe(slices[i - 1].first + slices[i - 1].count);
      expect(slices.reduce((n, s) => n + s.count, 0)).toBe(total);
      const sizes = slices.map((s) => s.count);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("replays another shard's Poisson publisher exactly: the window seqs of every topic", async () => {
    const topics = ['fs-t0', 'fs-t1', 'fs-t2'];
    const shard = 1;
    const count = 3;
    const warmupUs = 200_000;
    const durationUs = 600_000;
    const startUs = nowUs() + 50_000;
    const publisher = new Publisher({
      targetUrl: server.url,
      publish: loadProfile('rtbench').publish,
      topics,
      totalRatePerS: shardRate(600, count),
      arrival: 'poisson',
      payloadBytes: 16,
      seed: shardPublisherSeed(42, shard),
      startUs,
      windowStartUs: startUs + warmupUs,
      windowEndUs: startUs + warmupUs + durationUs,
      phaseStartUs: startUs,
      originIndex: shard,
    });
    publisher.start();
    const report = await publisher.done();
    expect(report.errors).toBe(0);
    expect(report.eventsInWindow).toBeGreaterThan(60);
    const replayed = scheduledStreams({ shardCount: count, ownIndex: 0, seed: 42, arrival: 'poisson', totalRatePerS: 600, topics: topics.length, warmupUs, durationUs, startUs }, shard);
    expect(sorted(replayed)).toEqual(sorted(report.streams));
    expect(replayed.every((s) => s.originKey === shardOriginKey(shard))).toBe(true);
  });

  it('owes every other origin and never its own; fixed arrivals split the stream evenly', () => {
    const schedule = { shardCount: 4, ownIndex: 2, seed: 7, arrival: 'fixed' as const, totalRatePerS: 40, topics: 2, warmupUs: 1_000_000, durationUs: 2_000_000, startUs: 5_000_000 };
    const streams = foreignStreams(schedule);
    expect(new Set(streams.map((s) => s.originKey))).toEqual(new Set([0, 1, 3].map(shardOriginKey)));
    // 10 events/s per shard, round-robin over 2 topics: 20 window events per shard, 10 per topic.
    for (const s of streams) expect(s.lastSeq - s.firstSeq + 1).toBe(10);
  });
});
