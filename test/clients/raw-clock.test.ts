import { describe, expect, it } from 'vitest';
import { fastNowUs, nowUs } from '../../src/clock.js';

/**
 * fastNowUs (the raw clients' clock, no BigInt per read) against nowUs (CLOCK_MONOTONIC via
 * hrtime.bigint): read between two nowUs readings it must fall between them, give or take the
 * 1 µs its calibration may be off by. (Worker threads calibrate their own offset when they
 * load the module; the CLI runs in test/cli time latencies through them.)
 */
function check(): number {
  let worst = 0;
  for (let i = 0; i < 10_000; i++) {
    const a = nowUs();
    const f = fastNowUs();
    const b = nowUs();
    worst = Math.max(worst, a - f, f - b);
  }
  return worst;
}

describe('fastNowUs', () => {
  it('reads the same clock as nowUs, within 1 µs, on the main thread', () => {
    expect(check()).toBeLessThanOrEqual(1);
  });
});
