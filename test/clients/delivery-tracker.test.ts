import { describe, expect, it } from 'vitest';
import { Arrival, DeliveryTracker } from '../../src/clients/delivery-tracker.js';

describe('DeliveryTracker', () => {
  it('a stream starts where the subscriber joined and counts in-order arrivals', () => {
    const t = new DeliveryTracker();
    expect([500, 501, 502].map((seq) => t.observe(-1, seq))).toEqual([Arrival.InOrder, Arrival.InOrder, Arrival.InOrder]);
  });

  it('tells duplicates from late arrivals, per origin', () => {
    const t = new DeliveryTracker();
    const seen = [
      [1, 1],
      [1, 2],
      [1, 4], // 3 is missing so far
      [2, 1], // another origin: its own stream
      [1, 3], // late: after 4
      [1, 3], // now a duplicate
      [1, 2], // duplicate of an old one
      [2, 1], // duplicate on the other stream
      [1, 5],
    ].map(([origin, seq]) => t.observe(origin, seq));
    expect(seen).toEqual([
      Arrival.InOrder,
      Arrival.InOrder,
      Arrival.InOrder,
      Arrival.InOrder,
      Arrival.OutOfOrder,
      Arrival.Duplicate,
      Arrival.Duplicate,
      Arrival.Duplicate,
      Arrival.InOrder,
    ]);
  });

  it('remembers seqs that arrived early until the gap before them fills', () => {
    const t = new DeliveryTracker();
    t.observe(0, 1);
    for (const seq of [5, 4, 3]) t.observe(0, seq);
    expect(t.observe(0, 4)).toBe(Arrival.Duplicate);
    expect(t.observe(0, 2)).toBe(Arrival.OutOfOrder);
    // 1..5 are now contiguous: everything up to 5 is a duplicate, 6 is new and in order.
    expect([1, 2, 3, 4, 5].map((seq) => t.observe(0, seq)).every((a) => a === Arrival.Duplicate)).toBe(true);
    expect(t.observe(0, 6)).toBe(Arrival.InOrder);
  });
});

describe('DeliveryTracker.tally: loss per stream, from seqs (DESIGN §4)', () => {
  const stream = (firstSeq: number, lastSeq: number, failedSeqs: number[] = []) => ({ originKey: -1, topicIndex: 0, firstSeq, lastSeq, failedSeqs });
  const tally = (t: DeliveryTracker, fromStart: boolean, ...streams: ReturnType<typeof stream>[]) => {
    const out = { expected: 0, delivered: 0, lost: 0, unexpected: 0 };
    for (const s of streams) t.tally(s, fromStart, out);
    return out;
  };

  it('a known loss in the middle comes back as exactly that loss', () => {
    const t = new DeliveryTracker();
    for (let seq = 1; seq <= 100; seq++) if (seq !== 40 && seq !== 41 && seq !== 77) t.observe(-1, seq);
    expect(tally(t, true, stream(1, 100))).toEqual({ expected: 100, delivered: 97, lost: 3, unexpected: 0 });
  });

  it('trailing losses count: events after the last one received are owed too', () => {
    const t = new DeliveryTracker();
    for (let seq = 1; seq <= 90; seq++) t.observe(-1, seq);
    expect(tally(t, true, stream(1, 100)).lost).toBe(10);
  });

  it('a subscriber that received nothing lost everything it was owed', () => {
    expect(tally(new DeliveryTracker(), true, stream(11, 30))).toEqual({ expected: 20, delivered: 0, lost: 20, unexpected: 0 });
  });

  it('a refused publish is not expected; delivered anyway it is unexpected, never a credit against losses', () => {
    const t = new DeliveryTracker();
    // seq 5 was refused by the server but delivered; seq 6 was accepted but lost.
    for (let seq = 1; seq <= 10; seq++) if (seq !== 6) t.observe(-1, seq);
    expect(tally(t, true, stream(1, 10, [5]))).toEqual({ expected: 9, delivered: 8, lost: 1, unexpected: 1 });
  });

  it('losses on one subscriber are not netted against extra deliveries on another stream', () => {
    const a = new DeliveryTracker();
    const b = new DeliveryTracker();
    for (let seq = 1; seq <= 10; seq++) a.observe(-1, seq);
    for (let seq = 1; seq <= 10; seq += 2) b.observe(-1, seq);
    const out = { expected: 0, delivered: 0, lost: 0, unexpected: 0 };
    a.tally(stream(1, 10, [3]), true, out);
    b.tally(stream(1, 10, [3]), true, out);
    expect(out).toEqual({ expected: 18, delivered: 13, lost: 5, unexpected: 2 });
  });

  it('a late subscriber owes only what followed its first event', () => {
    const t = new DeliveryTracker();
    for (let seq = 50; seq <= 100; seq++) t.observe(-1, seq);
    expect(tally(t, false, stream(1, 100))).toEqual({ expected: 51, delivered: 51, lost: 0, unexpected: 0 });
    expect(tally(new DeliveryTracker(), false, stream(1, 100)).expected).toBe(0);
  });

  it('after one loss, later in-order events cost no memory (holes, not an "early" set)', () => {
    const t = new DeliveryTracker();
    t.observe(-1, 1);
    for (let seq = 3; seq <= 100_000; seq++) t.observe(-1, seq);
    expect(tally(t, true, stream(1, 100_000)).lost).toBe(1);
    expect(t.observe(-1, 2)).toBe(Arrival.OutOfOrder);
    expect(tally(t, true, stream(1, 100_000)).lost).toBe(0);
  });

  it('after one loss, memory stays flat over a million later events', () => {
    const t = new DeliveryTracker();
    t.observe(-1, 1);
    t.observe(-1, 3); // seq 2 lost
    for (let seq = 4; seq <= 10_000; seq++) t.observe(-1, seq); // warm up (JIT, maps)
    const before = process.memoryUsage().heapUsed;
    for (let seq = 10_001; seq <= 1_010_000; seq++) t.observe(-1, seq);
    const grownBytes = process.memoryUsage().heapUsed - before;
    // An "early" set of a million seqs needs ≥ 8 MB (a hash table slot per entry, 8 bytes at
    // least); the hole ranges need a few bytes whatever the count.
    expect(grownBytes).toBeLessThan(2 ** 21);
    expect(tally(t, true, stream(1, 1_010_000)).lost).toBe(1);
  });
});
