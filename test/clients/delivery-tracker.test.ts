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
