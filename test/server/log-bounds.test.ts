import { describe, expect, it } from 'vitest';
import { hasLineBreak, stripJsonWhitespace } from '../../src/server/json-whitespace.js';
import { LogBudget } from '../../src/server/log-budget.js';
import { entryBytes, TopicLog } from '../../src/server/topic-log.js';

/** The pieces behind issue 9's byte bounds and line-break stripping, checked without a server. */

describe('stripJsonWhitespace', () => {
  it.each([
    ['{"a":1\n\n,"b":2}', '{"a":1,"b":2}'],
    ['{ "s" : "a b\\n c" ,\r\n "t" : [ 1 , 2 ] }', '{"s":"a b\\n c","t":[1,2]}'],
    ['{"q":"say \\"hi\\" \\\\","r":\n1}', '{"q":"say \\"hi\\" \\\\","r":1}'],
    ['{"e":"\\\\\\"  x"\n}', '{"e":"\\\\\\"  x"}'],
    ['{\n}', '{}'],
  ])('%j → %j', (input, output) => {
    expect(hasLineBreak(input)).toBe(true);
    expect(stripJsonWhitespace(input)).toBe(output);
    expect(JSON.parse(stripJsonWhitespace(input))).toEqual(JSON.parse(input));
  });

  it('leaves text without line breaks alone (the caller skips it)', () => {
    expect(hasLineBreak('{ "a" : 1 }')).toBe(false);
  });
});

describe('TopicLog byte bound', () => {
  it('keeps the newest entries within ringBytes, always the newest one, and reports what it evicted', () => {
    const body = `{"data":"${'x'.repeat(1000)}"}`;
    const one = entryBytes(new TopicLog('t', 10, 1e9).append(body, false).entry);
    const log = new TopicLog('t', 1000, one * 3);
    const evictions = Array.from({ length: 5 }, () => log.append(body, false).evicted);
    expect(evictions).toEqual([0, 0, 0, 1, 1]);
    expect(log.tailId).toBe(3);
    expect(log.retainedBytes).toBe(one * 3);
    const huge = log.append(`{"data":"${'y'.repeat(10_000)}"}`, false);
    expect(huge.evicted).toBe(3);
    expect(log.tailId).toBe(6);
    expect(log.readSince(0, 10)).toMatchObject({ next: 6, gap: true });
  });

  it('stores each event once: the JSON is a view into the SSE frame', () => {
    const { entry } = new TopicLog('t', 10, 1e9).append('{"a":1}', false);
    expect(entry.json.buffer).toBe(entry.sse.buffer);
    expect(entry.json.toString()).toBe('{"id":1,"topic":"t","a":1}');
    expect(entry.sse.toString()).toBe('id: 1\ndata: {"id":1,"topic":"t","a":1}\n\n');
  });
});

describe('LogBudget', () => {
  it('evicts the oldest events across topics, skipping those a topic already evicted itself', () => {
    const body = `{"data":"${'x'.repeat(1000)}"}`;
    const a = new TopicLog('a', 2, 1e9); // keeps 2 by count
    const b = new TopicLog('b', 100, 1e9);
    const one = entryBytes(a.append(body, false).entry);
    const budget = new LogBudget(one * 4);
    budget.appended(a, one, 0, 0);
    let evicted = 0;
    for (let i = 0; i < 3; i++) {
      const r = a.append(body, false); // a evicts its own oldest from the second append on
      evicted += budget.appended(a, r.bytes, r.evicted, r.evictedBytes);
    }
    expect(evicted).toBe(0);
    expect([a.tailId, budget.retainedBytes]).toEqual([3, one * 2]);
    for (let i = 0; i < 3; i++) {
      const r = b.append(body, false);
      evicted += budget.appended(b, r.bytes, r.evicted, r.evictedBytes);
    }
    // Five events for room for four: the oldest retained one (a's id 3) goes, not a stale mark.
    expect(evicted).toBe(1);
    expect([a.tailId, b.tailId, budget.retainedBytes]).toEqual([4, 1, one * 4]);
  });

  it('tracks bytes exactly through 100 000 appends that topics evict on their own (its order compacts)', () => {
    const logs = [new TopicLog('a', 1, 1e9), new TopicLog('b', 3, 1e9)];
    const budget = new LogBudget(1e12);
    for (let i = 0; i < 100_000; i++) {
      const log = logs[i % 3 === 0 ? 0 : 1];
      const r = log.append('{}', true);
      budget.appended(log, r.bytes, r.evicted, r.evictedBytes);
    }
    expect(budget.retainedBytes).toBe(logs[0].retainedBytes + logs[1].retainedBytes);
    // Then the server-wide bound bites: the oldest live events go, in publish order.
    const tight = new LogBudget(entryBytes(logs[1].readSince(0, 1).entries[0]) * 2);
    const c = new TopicLog('c', 100, 1e9);
    let evicted = 0;
    for (let i = 0; i < 5; i++) {
      const r = c.append('{}', true);
      evicted += tight.appended(c, r.bytes, r.evicted, r.evictedBytes);
    }
    expect([evicted, c.tailId]).toEqual([3, 4]);
  });
});
