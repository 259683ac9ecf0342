import { describe, expect, it } from 'vitest';
import { isRtbError } from '../../src/errors.js';
import { parseRelativeCheck, parseRelativeChecks, parseThreshold, parseThresholds } from '../../src/thresholds/grammar.js';

function errorOf(expression: string): { code: string; exitCode: number; message: string } {
  try {
    parseThreshold(expression);
  } catch (error) {
    if (!isRtbError(error)) throw error;
    return { code: error.code, exitCode: error.exitCode, message: error.message };
  }
  throw new Error(`no error for ${expression}`);
}

describe('threshold grammar: valid expressions', () => {
  it.each([
    ['sse.latency.p99 < 50ms', 'sse', 'latency.p99', '<', 50_000],
    ['polling@1s.requests_per_event < 1.5', 'polling@1s', 'requests_per_event', '<', 1.5],
    ['*.lost == 0', '*', 'lost', '==', 0],
    ['ws.server.cpu_us_per_event < 20', 'ws', 'server.cpu_us_per_event', '<', 20],
    ['ws.server.cpu_us_per_event < 1.5ms', 'ws', 'server.cpu_us_per_event', '<', 1500],
    ['*.delivered_ratio >= 99.9%', '*', 'delivered_ratio', '>=', 0.999],
    ['*.delivered_ratio >= 0.999', '*', 'delivered_ratio', '>=', 0.999],
    ['sse[clients=500].latency.p50<=800us', 'sse[clients=500]', 'latency.p50', '<=', 800],
    ['ws[rate=0.5].latency.max > 2s', 'ws[rate=0.5]', 'latency.max', '>', 2_000_000],
    ['sse@eventsource.reconnects != 3', 'sse@eventsource', 'reconnects', '!=', 3],
    ['long-polling.bytes_per_event < 1KiB', 'long-polling', 'bytes_per_event', '<', 1024],
    ['*.bytes_per_event < 1.5MB', '*', 'bytes_per_event', '<', 1_500_000],
    ['ws.bytes_per_event <= 200', 'ws', 'bytes_per_event', '<=', 200],
    ['server.cpu_percent < 80%', '*', 'server.cpu_percent', '<', 80],
    ['server.cpu_percent < 150', '*', 'server.cpu_percent', '<', 150],
    ['latency.p999 < 1s', '*', 'latency.p999', '<', 1_000_000],
    ['latency.max < 1m30s', '*', 'latency.max', '<', 90_000_000],
    ['latency.max < 1.5m', '*', 'latency.max', '<', 90_000_000],
    ['polling.empty_ratio < 50%', 'polling', 'empty_ratio', '<', 0.5],
    ['ws.events_per_second > 1000', 'ws', 'events_per_second', '>', 1000],
    ['  *.gaps == 0  ', '*', 'gaps', '==', 0],
  ])('%s', (expression, selector, metric, op, limit) => {
    const t = parseThreshold(expression);
    expect(t).toEqual({ expression: expression.trim(), selector, metric, op, limit, limitText: t.limitText });
  });

  it('keeps the limit as written for messages', () => {
    expect(parseThresholds(['sse.latency.p99 < 50ms', '*.delivered_ratio >= 99.9%']).map((t) => t.limitText)).toEqual(['50ms', '99.9%']);
  });
});

describe('threshold grammar: invalid expressions are one RTB_ERR_THRESHOLD_INVALID line (exit 2)', () => {
  it.each([
    ['', 'threshold "": is empty; expected <selector>.<metric> <op> <value>, e.g. sse.latency.p99 < 50ms'],
    ['sse.latency.p99 50ms', 'threshold "sse.latency.p99 50ms": has no comparison operator; expected <selector>.<metric> <op> <value> with <op> one of < <= > >= == !='],
    ['sse.latency.p99 = 50ms', 'threshold "sse.latency.p99 = 50ms": "=" is not an operator; use one of < <= > >= == !='],
    ['sse.latency.p99 => 50ms', 'threshold "sse.latency.p99 => 50ms": "=>" is not an operator; write >='],
    ['sse.lost ! 0', 'threshold "sse.lost ! 0": "!" is not an operator; use one of < <= > >= == !='],
    ['< 50ms', 'threshold "< 50ms": nothing before "<"; expected <selector>.<metric>, e.g. sse.latency.p99'],
    ['sse.latency.p99 <', 'threshold "sse.latency.p99 <": no value after "<"'],
    ['0 < sse.lost < 3', 'threshold "0 < sse.lost < 3": has more than one comparison operator; write one condition per expression'],
    ['sse.latncy.p99 < 50ms', 'threshold "sse.latncy.p99 < 50ms": unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)'],
    ['*.lots == 0', 'threshold "*.lots == 0": unknown metric "lots"; nearest is "lost" (rtbench metrics lists them all)'],
    ['latency.p95 < 5', 'threshold "latency.p95 < 5": latency.p95 is a duration; add a unit: 5ms, 5us or 5s'],
    ['latency.p(0) < 5ms', 'threshold "latency.p(0) < 5ms": "latency.p(0)": a percentile is above 0 and at most 100'],
    ['ws.latency.p(100.5) < 5ms', 'threshold "ws.latency.p(100.5) < 5ms": "latency.p(100.5)": a percentile is above 0 and at most 100'],
    ['latency.p101 < 5ms', 'threshold "latency.p101 < 5ms": "latency.p101" is ambiguous; write the percentile in parentheses, e.g. latency.p(10.1)'],
    ['sse.latency.p995 < 5ms', 'threshold "sse.latency.p995 < 5ms": "latency.p995" is ambiguous; write the percentile in parentheses, e.g. latency.p(99.5)'],
    ['latency.p(fast) < 5ms', 'threshold "latency.p(fast) < 5ms": "latency.p(fast)": the percentile in p(…) must be a number such as 95 or 99.99'],
    ['latency.p(95 < 5ms', 'threshold "latency.p(95 < 5ms": "latency.p(95": the percentile in p(…) must be a number such as 95 or 99.99'],
    ['sse2.latency.p95 < 5ms', 'threshold "sse2.latency.p95 < 5ms": unknown selector "sse2"; expected *, a transport (polling, long-polling, sse, ws) or a phase key such as polling@1s or sse[clients=500]; nearest transport is "sse"'],
    [
      'sse2.latency.p99 < 5ms',
      'threshold "sse2.latency.p99 < 5ms": unknown selector "sse2"; expected *, a transport (polling, long-polling, sse, ws) or a phase key such as polling@1s or sse[clients=500]; nearest transport is "sse"',
    ],
    ['sse@.lost == 0', 'threshold "sse@.lost == 0": "sse@" is not a phase key; expected <transport>[@<variant>][@h2][+tls][[<param>=<value>]], e.g. polling@1s, sse@h2+tls or sse[clients=500]'],
    ['sse < 5ms', 'threshold "sse < 5ms": "sse" names phases but no metric; write sse.<metric>, e.g. sse.latency.p99'],
    ['sse latency.p99 < 5ms', 'threshold "sse latency.p99 < 5ms": "sse latency.p99" contains a space; write <selector>.<metric> without spaces, e.g. sse.latency.p99'],
    ['sse.latency.p99 < 50', 'threshold "sse.latency.p99 < 50": latency.p99 is a duration; add a unit: 50ms, 50us or 50s'],
    ['sse.latency.p99 < 5KiB', 'threshold "sse.latency.p99 < 5KiB": latency.p99 is a duration; "5KiB" is not one (units: us, ms, s, m, h, as in 50ms or 1m30s)'],
    ['sse.latency.p99 < fast', 'threshold "sse.latency.p99 < fast": "fast" is not a value for latency.p99; expected a duration such as 50ms'],
    ['*.bytes_per_event < 3 apples', 'threshold "*.bytes_per_event < 3 apples": bytes_per_event is a size; "3 apples" is not one (units: B, KB, KiB, MB, MiB, GB, GiB)'],
    ['*.delivered_ratio >= 99.9', 'threshold "*.delivered_ratio >= 99.9": delivered_ratio is a fraction from 0 to 1; write 99.9% or 0.999'],
    ['*.delivered_ratio >= 99.9ms', 'threshold "*.delivered_ratio >= 99.9ms": delivered_ratio is a fraction; write a percentage such as 99.9% or a number from 0 to 1'],
    ['server.cpu_percent < 50ms', 'threshold "server.cpu_percent < 50ms": server.cpu_percent is a percentage; write a number such as 50 or 50%'],
    ['*.lost < 1%', 'threshold "*.lost < 1%": lost is a count without a unit; write a plain number, not "1%"'],
    ['ws.events_per_second > 5k', 'threshold "ws.events_per_second > 5k": events_per_second is a rate per second without a unit; write a plain number, not "5k"'],
    ['sse.latency.p99 < +10%', 'threshold "sse.latency.p99 < +10%": "+10%" is a change; changes from a baseline are for compare --fail-on. A run threshold needs an absolute value such as 50ms'],
  ])('%j', (expression, message) => {
    expect(errorOf(expression)).toEqual({ code: 'RTB_ERR_THRESHOLD_INVALID', exitCode: 2, message });
  });

  it('parseThresholds stops at the first bad expression and names it', () => {
    expect(() => parseThresholds(['*.lost == 0', '*.lots == 0', 'nonsense'])).toThrow('threshold "*.lots == 0": unknown metric "lots"');
  });
});

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
