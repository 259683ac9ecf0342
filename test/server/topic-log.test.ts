import { describe, expect, it } from 'vitest';
import { entryBytes, LOG_ENTRY_OVERHEAD_BYTES, TopicLog } from '../../src/server/topic-log.js';

/** A publisher body of a fixed size: `{"seq":N,"data":"xxx…"}`. */
function body(seq: number, padding = 8): string {
  return `{"seq":${seq},"data":"${'x'.repeat(padding)}"}`;
}

/** A log with `n` events appended (seq 1…n). */
function logWith(n: number, capacity: number, maxBytes = 1e9): TopicLog {
  const log = new TopicLog('t0', capacity, maxBytes);
  for (let seq = 1; seq <= n; seq++) log.append(body(seq), false);
  return log;
}

const ids = (log: TopicLog, since: number, limit = 100): number[] => log.readSince(since, limit).entries.map((e) => e.id);

describe('TopicLog entries', () => {
  it('ids start at 1 and increase by one; each entry is the event JSON and its SSE frame, exactly', () => {
    const log = new TopicLog('t0', 10, 1e9);
    expect(log.headId).toBe(0);
    expect(log.tailId).toBe(1);
    const first = log.append(body(1), false).entry;
    const second = log.append('{}', true).entry;
    expect([first.id, second.id, log.headId]).toEqual([1, 2, 2]);
    expect(first.json.toString()).toBe('{"id":1,"topic":"t0","seq":1,"data":"xxxxxxxx"}');
    expect(first.sse.toString()).toBe('id: 1\ndata: {"id":1,"topic":"t0","seq":1,"data":"xxxxxxxx"}\n\n');
    expect(second.json.toString()).toBe('{"id":2,"topic":"t0"}');
    // The JSON is a view into the frame: the event's bytes are held once.
    expect(first.json.buffer).toBe(first.sse.buffer);
  });

  it('counts each entry as its frame plus a fixed overhead', () => {
    const log = new TopicLog('t0', 10, 1e9);
    const { entry, bytes } = log.append(body(1), false);
    expect(bytes).toBe(entry.sse.length + LOG_ENTRY_OVERHEAD_BYTES);
    expect(entryBytes(entry)).toBe(bytes);
    log.append(body(2), false);
    expect(log.retainedBytes).toBe(2 * bytes);
  });
});

describe('TopicLog ring eviction by count', () => {
  it('keeps the newest `capacity` events, evicting one per append once full', () => {
    const log = new TopicLog('t0', 3, 1e9);
    const evicted = Array.from({ length: 5 }, (_, i) => log.append(body(i + 1), false).evicted);
    expect(evicted).toEqual([0, 0, 0, 1, 1]);
    expect([log.tailId, log.headId]).toEqual([3, 5]);
    expect(ids(log, 0)).toEqual([3, 4, 5]);
  });

  it('reports the bytes it evicted, and retains only what it keeps', () => {
    const log = new TopicLog('t0', 2, 1e9);
    const first = log.append(body(1), false);
    log.append(body(2), false);
    const third = log.append(body(3), false);
    expect(third).toMatchObject({ evicted: 1, evictedBytes: first.bytes });
    expect(log.retainedBytes).toBe(2 * first.bytes);
  });

  it('wraps around the ring many times without losing order', () => {
    const log = logWith(1000, 7);
    expect(ids(log, 0)).toEqual([994, 995, 996, 997, 998, 999, 1000]);
  });
});

describe('TopicLog eviction by bytes', () => {
  it('keeps the newest entries within maxBytes, before the count bound is reached', () => {
    const one = entryBytes(new TopicLog('t0', 1, 1e9).append(body(1), false).entry);
    const log = new TopicLog('t0', 100, one * 2 + one / 2);
    const evicted = Array.from({ length: 4 }, (_, i) => log.append(body(i + 1), false).evicted);
    expect(evicted).toEqual([0, 0, 1, 1]);
    expect(ids(log, 0)).toEqual([3, 4]);
    expect(log.retainedBytes).toBe(one * 2);
  });

  it('always keeps the newest entry, even one larger than maxBytes, evicting everything older', () => {
    const log = logWith(3, 100, 10_000);
    const big = log.append(body(4, 20_000), false);
    expect(big.evicted).toBe(3);
    expect(ids(log, 0)).toEqual([4]);
    expect(log.retainedBytes).toBe(big.bytes);
  });

  it('evictOldest drops one entry and returns its bytes; an empty log returns 0', () => {
    const log = logWith(2, 10);
    const bytes = log.retainedBytes / 2;
    expect(log.evictOldest()).toBe(bytes);
    expect(log.evictOldest()).toBe(bytes);
    expect(log.evictOldest()).toBe(0);
    expect([log.tailId, log.headId, log.retainedBytes]).toEqual([3, 2, 0]);
    expect(log.readSince(2, 10)).toEqual({ entries: [], next: 2, gap: false });
  });
});

describe('TopicLog.readSince', () => {
  it('answers the events after the cursor, oldest first, at most `limit`, and the cursor to ask with next', () => {
    const log = logWith(10, 100);
    expect(log.readSince(3, 4)).toMatchObject({ next: 7, gap: false });
    expect(ids(log, 3, 4)).toEqual([4, 5, 6, 7]);
    expect(ids(log, 7, 4)).toEqual([8, 9, 10]);
    expect(log.readSince(7, 4).next).toBe(10);
  });

  it('a cursor at or past the head gets nothing, and keeps its cursor', () => {
    const log = logWith(5, 100);
    expect(log.readSince(5, 10)).toEqual({ entries: [], next: 5, gap: false });
    expect(log.readSince(9, 10)).toEqual({ entries: [], next: 9, gap: false });
  });

  it('an empty log has no gap, whatever the cursor', () => {
    const log = new TopicLog('t0', 3, 1e9);
    expect(log.readSince(0, 10)).toEqual({ entries: [], next: 0, gap: false });
    expect(log.readSince(7, 10)).toEqual({ entries: [], next: 7, gap: false });
  });

  it('a cursor behind the tail gets what remains and a gap; a cursor just before the tail does not', () => {
    const log = logWith(10, 4);
    expect(log.tailId).toBe(7);
    expect(log.readSince(0, 100)).toMatchObject({ next: 10, gap: true });
    expect(ids(log, 0)).toEqual([7, 8, 9, 10]);
    expect(log.readSince(5, 100).gap).toBe(true);
    expect(log.readSince(6, 100)).toMatchObject({ next: 10, gap: false });
    expect(ids(log, 6)).toEqual([7, 8, 9, 10]);
  });

  it('a gap is reported even when the limit leaves events for the next read', () => {
    const log = logWith(10, 4);
    expect(log.readSince(2, 2)).toMatchObject({ next: 8, gap: true });
    expect(log.readSince(8, 2)).toMatchObject({ next: 10, gap: false });
  });
});
