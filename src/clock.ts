/**
 * The one clock. Everything rtbench measures is a difference of two readings of this clock.
 *
 * `process.hrtime.bigint()` is CLOCK_MONOTONIC on Linux, which every process and thread of
 * one host shares: a timestamp taken by the publisher (main thread), the reference server
 * (child process) and a client (worker thread) can be subtracted from each other directly.
 * Values are integer microseconds since an arbitrary origin (boot), well inside 2^53.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The same clock in milliseconds, for deadlines and timeouts. */
export function nowMs(): number {
  return nowUs() / 1000;
}

/** Wall-clock time for humans and file names only; never used to measure. */
export function wallClockIso(): string {
  return new Date().toISOString();
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when the clock reaches `atUs` (or early on abort). */
export function sleepUntilUs(atUs: number, signal?: AbortSignal): Promise<void> {
  return sleep((atUs - nowUs()) / 1000, signal);
}

/**
 * The same clock as nowUs() without a BigInt per read, for the raw clients' hot path (one read
 * per socket read). performance.now() is libuv's monotonic hrtime minus this thread's time
 * origin, as a double in ms: the offset to CLOCK_MONOTONIC µs is constant per thread, and is
 * measured once here from the reading pair with the least time between them (error < 1 µs).
 * Integer µs, floor, like nowUs().
 */
export function fastNowUs(): number {
  return Math.floor(performance.now() * 1000 + fastClockOffsetUs);
}

const fastClockOffsetUs = ((): number => {
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  // Enough tries for the code to warm up and for one pair to fall between two preemptions.
  for (let i = 0; i < 1000; i++) {
    const a = performance.now();
    const monoUs = Number(process.hrtime.bigint()) / 1000;
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = monoUs - ((a + b) / 2) * 1000;
    }
  }
  return offset;
})();

/** Wall-clock milliseconds since the epoch: only for agreeing on a start time with other machines (a coordinator's), never to measure. */
export function epochMs(): number {
  return Date.now();
}
