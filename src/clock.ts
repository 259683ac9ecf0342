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
