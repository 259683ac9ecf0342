import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nowUs } from '../../src/clock.js';
import { threadCpuUs } from '../../src/worker/thread-cpu.js';

describe('threadCpuUs: the calling thread\'s CPU, not the process\'s', () => {
  it.runIf(process.platform === 'linux')('counts a busy thread\'s spin and not what another thread burns meanwhile', async () => {
    // Another thread spins for 300 ms while this one sleeps: this thread's CPU barely moves.
    const spinner = new Worker('const end = Date.now() + 300; while (Date.now() < end);', { eval: true });
    const before = threadCpuUs();
    await new Promise((resolve) => spinner.once('exit', resolve));
    const whileSleeping = threadCpuUs() - before;
    expect(whileSleeping).toBeGreaterThanOrEqual(0);
    expect(whileSleeping).toBeLessThan(150_000);
    // This thread spins for 200 ms of wall time: at most that much CPU (less if the machine is busy), and some.
    const a = threadCpuUs();
    const startUs = nowUs();
    while (nowUs() - startUs < 200_000);
    const spun = threadCpuUs() - a;
    expect(spun).toBeGreaterThan(20_000);
    expect(spun).toBeLessThanOrEqual(220_000);
  });
});
