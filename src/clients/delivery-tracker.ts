import type { StreamExpectation } from '../protocol/stream-expectation.js';

/** What `DeliveryTracker.observe` found. */
export const Arrival = {
  /** First receipt, after everything earlier from its origin. */
  InOrder: 0,
  /** First receipt, but a later event from the same origin came first. */
  OutOfOrder: 1,
  /** Received before. */
  Duplicate: 2,
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

/**
 * One (origin, topic) stream as one client sees it: the seqs received are everything in
 * [firstSeq, maxSeq] except the missing ranges. Memory is O(holes), not O(events): a lost
 * event leaves one range behind, and later events that arrive in order cost nothing (a set
 * of "early" seqs would grow with every event after the first loss).
 */
class StreamState {
  firstSeq: number;
  maxSeq: number;
  /** Missing seqs below maxSeq, as sorted, disjoint [lo, hi] pairs flattened: lo0, hi0, lo1, hi1, … */
  missing: number[] = [];

  /** The first event a subscriber sees marks where its subscription began. */
  constructor(firstSeq: number) {
    this.firstSeq = firstSeq;
    this.maxSeq = firstSeq;
  }

  observe(seq: number): Arrival {
    if (seq === this.maxSeq + 1) {
      this.maxSeq = seq;
      return Arrival.InOrder;
    }
    if (seq > this.maxSeq) {
      this.missing.push(this.maxSeq + 1, seq - 1);
      this.maxSeq = seq;
      return Arrival.InOrder;
    }
    if (seq < this.firstSeq) {
      // Earlier than anything seen: the subscription began before we thought.
      if (seq < this.firstSeq - 1) this.missing.unshift(seq + 1, this.firstSeq - 1);
      this.firstSeq = seq;
      return Arrival.OutOfOrder;
    }
    const m = this.missing;
    for (let i = 0; i < m.length; i += 2) {
      const lo = m[i];
      const hi = m[i + 1];
      if (seq < lo) break;
      if (seq > hi) continue;
      if (lo === hi) m.splice(i, 2);
      else if (seq === lo) m[i] = lo + 1;
      else if (seq === hi) m[i + 1] = hi - 1;
      else m.splice(i, 2, lo, seq - 1, seq + 1, hi);
      return Arrival.OutOfOrder;
    }
    return Arrival.Duplicate;
  }

  /** How many seqs in [lo, hi] were received. */
  receivedIn(lo: number, hi: number): number {
    const a = Math.max(lo, this.firstSeq);
    const b = Math.min(hi, this.maxSeq);
    if (b < a) return 0;
    let n = b - a + 1;
    const m = this.missing;
    for (let i = 0; i < m.length; i += 2) {
      const x = Math.max(a, m[i]);
      const y = Math.min(b, m[i + 1]);
      if (y >= x) n -= y - x + 1;
    }
    return n;
  }

  has(seq: number): boolean {
    return this.receivedIn(seq, seq) === 1;
  }
}

/** One client's reckoning against the expectations of its topic. */
export interface StreamTally {
  expected: number;
  delivered: number;
  lost: number;
  unexpected: number;
}

/**
 * Loss, duplicate and reorder detection for one client, from the publisher's (origin, seq)
 * alone — independent of the server's ids. A client subscribes to one topic, so the origin
 * names the stream. Most clients hear one origin (the publisher), so the last stream is
 * cached in front of the map.
 */
export class DeliveryTracker {
  /** When the client's connection was last cut (µs), until its next event arrives; NaN otherwise. */
  cutAtUs = NaN;
  #lastKey = NaN;
  #last: StreamState | undefined;
  #streams: Map<number, StreamState> | undefined;

  observe(originKey: number, seq: number): Arrival {
    if (originKey === this.#lastKey) return this.#last!.observe(seq);
    const streams = (this.#streams ??= new Map());
    let state = streams.get(originKey);
    if (state === undefined) {
      state = new StreamState(seq);
      streams.set(originKey, state);
      this.#lastKey = originKey;
      this.#last = state;
      return Arrival.InOrder;
    }
    this.#lastKey = originKey;
    this.#last = state;
    return state.observe(seq);
  }

  /**
   * Adds this client's figures for `e` to `tally`, counted per stream from seqs (DESIGN §4):
   * every accepted seq in the window not received is lost; a received seq whose publish
   * failed is unexpected. `fromStart`: the client subscribed before the window opened, so
   * it owes the whole window; otherwise it owes what followed its first event.
   */
  tally(e: StreamExpectation, fromStart: boolean, tally: StreamTally): void {
    const state = this.#streams?.get(e.originKey);
    let lo = e.firstSeq;
    if (!fromStart) {
      if (state === undefined) return;
      lo = Math.max(lo, state.firstSeq);
    }
    const hi = e.lastSeq;
    if (hi < lo) return;
    let failed = 0;
    let unexpected = 0;
    for (const seq of e.failedSeqs) {
      if (seq < lo || seq > hi) continue;
      failed++;
      if (state?.has(seq)) unexpected++;
    }
    const expected = hi - lo + 1 - failed;
    const delivered = (state?.receivedIn(lo, hi) ?? 0) - unexpected;
    tally.expected += expected;
    tally.delivered += delivered;
    tally.lost += expected - delivered;
    tally.unexpected += unexpected;
  }
}
