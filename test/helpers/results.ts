import { expect } from 'vitest';
import { runCli } from './cli.js';

/** The smallest real run tests use: 10 clients, SSE and WebSocket, a 1 s window (about 4 s). */
export const SMALL_RUN = ['--clients', '10', '--duration', '1s', '--warmup', '200ms', '--transports', 'sse,ws'];

/** Runs `rtbench run <scenario> <SMALL_RUN> <extra>` into `path` and returns `path`; throws with stderr when the run fails. */
export async function produceResult(path: string, extra: readonly string[] = [], scenario = 'default'): Promise<string> {
  const run = await runCli(['run', scenario, ...SMALL_RUN, ...extra, '--out', path, '--quiet'], { timeoutMs: 90_000 });
  if (run.code !== 0) throw new Error(`rtbench run ${scenario} ${extra.join(' ')} exited ${run.code}: ${run.stderr}`);
  return path;
}

/** A phase as the --json result carries it, as far as the delivery checks below read it. */
interface PhaseDeliveries {
  readonly key: string;
  readonly status: string;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/**
 * A phase that ended complete and delivered every expected event exactly once: none lost,
 * duplicated or out of order (what a resume through a fault must keep).
 */
export function expectEveryEventOnce(p: PhaseDeliveries): void {
  const m = p.metrics;
  expect(p.status, p.key).toBe('complete');
  expect(m.lost, p.key).toBe(0);
  expect(m.duplicated, p.key).toBe(0);
  expect(m.out_of_order, p.key).toBe(0);
  expect(m.delivered, p.key).toBe(m.expected);
}
