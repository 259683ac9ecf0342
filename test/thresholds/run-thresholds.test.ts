import { describe, expect, it } from 'vitest';
import { isRtbError } from '../../src/errors.js';
import { selectRunThresholds } from '../../src/thresholds/run-thresholds.js';

const TICKER = ['*.lost == 0', 'sse.latency.p99 < 250ms', 'ws.latency.p99 < 250ms'];

describe('the thresholds a run checks', () => {
  it('a scenario threshold for a transport narrowed away is skipped, with the reason', () => {
    const { checked, skipped } = selectRunThresholds(TICKER, [], ['sse'], ['sse']);
    expect(checked.map((t) => t.expression)).toEqual(['*.lost == 0', 'sse.latency.p99 < 250ms']);
    expect(skipped.map((s) => [s.threshold.expression, s.reason])).toEqual([['ws.latency.p99 < 250ms', 'selector "ws" matches none of the planned phases (sse)']]);
  });

  it('with every transport planned, nothing is skipped; --threshold ones come after the scenario’s', () => {
    const { checked, skipped } = selectRunThresholds(TICKER, ['ws.lost == 0'], ['polling@250ms', 'long-polling', 'sse', 'ws'], ['polling', 'long-polling', 'sse', 'ws']);
    expect(checked.map((t) => t.expression)).toEqual([...TICKER, 'ws.lost == 0']);
    expect(skipped).toEqual([]);
  });

  it('a --threshold that matches no planned phase is still an error', () => {
    let message = '';
    try {
      selectRunThresholds(TICKER, ['ws.lost == 0'], ['sse'], ['sse']);
    } catch (error) {
      if (isRtbError(error)) message = `${error.code}: ${error.message}`;
    }
    expect(message).toBe('RTB_ERR_THRESHOLD_INVALID: threshold "ws.lost == 0": selector "ws" matches none of the planned phases (sse)');
  });

  it('a scenario threshold that does not parse is an error even when it would be skipped', () => {
    expect(() => selectRunThresholds(['ws.latncy.p99 < 5ms'], [], ['sse'], ['sse'])).toThrow('unknown metric "latncy.p99"');
  });
});
