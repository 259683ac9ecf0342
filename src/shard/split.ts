/**
 * The deterministic split of a run over shards, like k6's execution segments: every shard
 * computes every other shard's slice from the same three numbers (the total, its index, the
 * count), so no shard needs to be told what the others do.
 */
import { publisherOrigin, originKey } from '../protocol/event.js';
import { deriveSeed } from '../publisher/rng.js';

/** Shard `index` of `count` holds clients [first, first + count) of `total`: sizes differ by at most one. */
export function clientSlice(total: number, index: number, count: number): { first: number; count: number } {
  const first = Math.floor((index * total) / count);
  const end = Math.floor(((index + 1) * total) / count);
  return { first, count: end - first };
}

/** The publish rate of one shard: an equal share of the whole (Poisson streams add up to the whole). */
export function shardRate(totalRatePerS: number, count: number): number {
  return totalRatePerS / count;
}

/** The seed of shard `index`'s publisher: independent streams, reproducible from the run's seed. */
export function shardPublisherSeed(seed: number, index: number): number {
  return deriveSeed(seed, 2_000_000 + index);
}

/** The seed of shard `index`'s client workers (polling phases, jitter). */
export function shardWorkerSeed(seed: number, index: number): number {
  return deriveSeed(seed, 3_000_000 + index);
}

/** Shard `index` publishes as origin `p<index>` (DESIGN §2): its receivers time latency on that origin only. */
export function shardOrigin(index: number): string {
  return publisherOrigin(index);
}

export function shardOriginKey(index: number): number {
  return originKey(publisherOrigin(index));
}
