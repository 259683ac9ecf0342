import { describe, expect, it } from 'vitest';
import { parseRelativeCheck, parseRelativeChecks } from '../../src/thresholds/parse-relative-checks.js';

describe('compare --fail-on grammar', () => {
  it.each([
    ['latency.p99 > +10%', '*', 'latency.p99', '>', { kind: 'relative', value: 0.1 }],
    ['sse.bytes_per_event > +5%', 'sse', 'bytes_per_event', '>', { kind: 'relative', value: 0.05 }],
    ['*.lost > +0', '*', 'lost', '>', { kind: 'absolute', value: 0 }],
    ['latency.p50 > +2ms', '*', 'latency.p50', '>', { kind: 'absolute', value: 2000 }],
    ['ws.events_per_second < -5%', 'ws', 'events_per_second', '<', { kind: 'relative', value: -0.05 }],
    ['delivered_ratio < -0.001', '*', 'delivered_ratio', '<', { kind: 'absolute', value: -0.001 }],
    ['polling@1s.requests_per_event >= +1.1%', 'polling@1s', 'requests_per_event', '>=', { kind: 'relative', value: 0.011 }],
    ['server.memory_per_connection > +4KiB', '*', 'server.memory_per_connection', '>', { kind: 'absolute', value: 4096 }],
  ])('%s', (expression, selector, metric, op, change) => {
    const check = parseRelativeCheck(expression);
    expect(check).toEqual({ expression, selector, metric, op, change, changeText: check.changeText });
  });

  it.each([
    ['latency.p99 > 10%', '--fail-on "latency.p99 > 10%": "10%" has no sign; --fail-on states a change from the baseline, e.g. +10%, +2ms or +0'],
    ['latency.p99 > +10', '--fail-on "latency.p99 > +10": latency.p99 is a duration; add a unit: 10ms, 10us or 10s'],
    ['lost > +1x', '--fail-on "lost > +1x": lost is a count without a unit; write a plain number, not "1x"'],
    ['latncy.p99 > +10%', '--fail-on "latncy.p99 > +10%": unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)'],
    ['latency.p99 +10%', '--fail-on "latency.p99 +10%": has no comparison operator; expected <selector>.<metric> <op> <value> with <op> one of < <= > >= == !='],
  ])('%j is refused', (expression, message) => {
    expect(() => parseRelativeChecks([expression])).toThrow(message);
    try {
      parseRelativeCheck(expression);
    } catch (error) {
      expect(error).toMatchObject({ code: 'RTB_ERR_THRESHOLD_INVALID', exitCode: 2, message });
    }
  });
});
