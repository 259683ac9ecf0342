import { describe, expect, it } from 'vitest';
import { TimerWheel, type WheelClient } from '../../src/clients/timer-wheel.js';
import { fastNowUs } from '../../src/clock.js';

/** A client that notes when it fired (µs) and, if asked, schedules itself again. */
function client(name: string, fired: { name: string; atUs: number }[], again?: (c: WheelClient) => void): WheelClient {
  const c: WheelClient = {
    wheelToken: 0,
    due() {
      fired.push({ name, atUs: fastNowUs() });
      again?.(c);
    },
  };
  return c;
}

const until = (done: () => boolean, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const startMs = Date.now();
    const check = (): void => (done() ? resolve() : Date.now() - startMs > timeoutMs ? reject(new Error('timed out')) : void setTimeout(check, 5));
    check();
  });

describe('TimerWheel: one Node timer for many clients', () => {
  it('fires each schedule once, never early, in time order (same ms: scheduling order), and not what was cancelled or replaced', async () => {
    const wheel = new TimerWheel();
    const fired: { name: string; atUs: number }[] = [];
    const t0 = fastNowUs();
    const at: Record<string, number> = { past: t0 - 5_000, a: t0 + 30_000, b: t0 + 30_000, c: t0 + 12_000, late: t0 + 1_200_000 };
    const clients: Record<string, WheelClient> = {};
    for (const name of ['late', 'a', 'b', 'c', 'past']) {
      clients[name] = client(name, fired);
      wheel.schedule(clients[name], at[name]);
    }
    const cancelled = client('cancelled', fired);
    wheel.schedule(cancelled, t0 + 20_000);
    wheel.cancel(cancelled);
    const moved = client('moved', fired);
    wheel.schedule(moved, t0 + 5_000);
    wheel.schedule(moved, t0 + 40_000);
    at.moved = t0 + 40_000;
    await until(() => fired.length >= 6, 3_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired.map((f) => f.name)).toEqual(['past', 'c', 'a', 'b', 'moved', 'late']);
    for (const f of fired) {
      expect(f.atUs, f.name).toBeGreaterThanOrEqual(at[f.name]);
      // Upper bound: a loaded machine may delay a timer; a whole extra turn (1024 ms) would be a bug.
      expect(f.atUs - Math.max(at[f.name], t0), f.name).toBeLessThan(500_000);
    }
  });

  it('a client that schedules itself again from due() keeps its cadence, and others beside it are not delayed', async () => {
    const wheel = new TimerWheel();
    const fired: { name: string; atUs: number }[] = [];
    const t0 = fastNowUs();
    let next = t0;
    const ticker = client('tick', fired, (c) => {
      next += 10_000;
      if (fired.filter((f) => f.name === 'tick').length < 10) wheel.schedule(c, next);
    });
    next += 10_000;
    wheel.schedule(ticker, next);
    const other = client('other', fired);
    wheel.schedule(other, t0 + 35_000);
    await until(() => fired.filter((f) => f.name === 'tick').length === 10, 3_000);
    const ticks = fired.filter((f) => f.name === 'tick');
    ticks.forEach((f, i) => expect(f.atUs).toBeGreaterThanOrEqual(t0 + (i + 1) * 10_000));
    const o = fired.find((f) => f.name === 'other')!;
    expect(o.atUs).toBeGreaterThanOrEqual(t0 + 35_000);
    expect(o.atUs - (t0 + 35_000)).toBeLessThan(500_000);
  });
});
