import type { Arrival } from '../config/types.js';
import type { StreamExpectation } from '../protocol/stream-expectation.js';
import { ArrivalProcess } from '../publisher/arrivals.js';
import { seededRandom } from '../publisher/rng.js';
import { shardOriginKey, shardPublisherSeed, shardRate } from './split.js';

export interface ForeignSchedule {
  readonly shardCount: number;
  /** This shard: its own streams come from its publisher's report, not from here. */
  readonly ownIndex: number;
  readonly seed: number;
  readonly arrival: Arrival;
  /** Events/s of the whole run over all topics (every shard's share together). */
  readonly totalRatePerS: number;
  readonly topics: number;
  readonly warmupUs: number;
  readonly durationUs: number;
  /** Any start time: only offsets from it matter (this shard's publish start keeps rounding alike). */
  readonly startUs: number;
}

/**
 * What every *other* shard's publisher scheduled in its window, per topic: the seqs
 * [firstSeq, lastSeq] its subscribers here are owed (DESIGN §6: every subscriber checks every
 * origin's seq). Computed, not exchanged: a shard's schedule is a pure function of the seed,
 * its index and the phase's timing, replayed here exactly as `Publisher` emits it — the same
 * generator, the same draws in the same order (arrival gap, then the topic of each event).
 * Refusals on the other shard are not known here: those seqs count as owed (the merged
 * result says so when a shard had publish errors).
 */
export function foreignStreams(s: ForeignSchedule): StreamExpectation[] {
  const streams: StreamExpectation[] = [];
  for (let shard = 0; shard < s.shardCount; shard++) {
    if (shard !== s.ownIndex) streams.push(...scheduledStreams(s, shard));
  }
  return streams;
}

/** Shard `shard`'s window streams, replaying Publisher's draws (publisher.ts: #emit and #tick). */
export function scheduledStreams(s: ForeignSchedule, shard: number): StreamExpectation[] {
  const random = seededRandom(shardPublisherSeed(s.seed, shard));
  const arrivals = new ArrivalProcess(s.arrival, shardRate(s.totalRatePerS, s.shardCount), s.startUs, random);
  const windowStartUs = s.startUs + s.warmupUs;
  const windowEndUs = windowStartUs + s.durationUs;
  const seq = new Array<number>(s.topics).fill(0);
  const first = new Array<number>(s.topics).fill(0);
  const last = new Array<number>(s.topics).fill(0);
  let roundRobin = 0;
  for (let ts = arrivals.nextUs; ts < windowEndUs; ts = arrivals.advance()) {
    const topic = s.arrival === 'fixed' ? roundRobin++ % s.topics : Math.floor(random() * s.topics);
    const n = ++seq[topic];
    if (ts < windowStartUs) continue;
    if (first[topic] === 0) first[topic] = n;
    last[topic] = n;
  }
  const key = shardOriginKey(shard);
  const streams: StreamExpectation[] = [];
  for (let topic = 0; topic < s.topics; topic++) {
    if (first[topic] > 0) streams.push({ originKey: key, topicIndex: topic, firstSeq: first[topic], lastSeq: last[topic], failedSeqs: [] });
  }
  return streams;
}
