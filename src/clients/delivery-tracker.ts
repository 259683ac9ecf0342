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
 * One (origin, topic) stream as one client sees it. Memory stays O(1) while events arrive
 * in order: everything ≤ `contiguous` was seen, and only seqs above it that arrived early
 * are remembered individually.
 */
class StreamState {
  contiguous: number;
  maxSeq: number;
  early: Set<number> | undefined;

  /** The first event a subscriber sees marks where its subscription began. */
  constructor(firstSeq: number) {
    this.contiguous = firstSeq;
    this.maxSeq = firstSeq;
  }

  observe(seq: number): Arrival {
    if (seq <= this.contiguous || this.early?.has(seq)) return Arrival.Duplicate;
    const outOfOrder = seq < this.maxSeq;
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (seq === this.contiguous + 1) {
      this.contiguous = seq;
      const early = this.early;
      if (early !== undefined && early.size > 0) {
        while (early.delete(this.contiguous + 1)) this.contiguous++;
      }
    } else {
      (this.early ??= new Set()).add(seq);
    }
    return outOfOrder ? Arrival.OutOfOrder : Arrival.InOrder;
  }
}

/**
 * Loss, duplicate and reorder detection for one client, from the publisher's (origin, seq)
 * alone — independent of the server's ids. A client subscribes to one topic, so the origin
 * names the stream. Most clients hear one origin (the publisher), so the last stream is
 * cached in front of the map.
 */
export class DeliveryTracker {
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
}
