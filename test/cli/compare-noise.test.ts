import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/compare/types.js';
import { runCli } from '../helpers/cli.js';

/**
 * A compare of single runs that does not cry wolf: two runs of the same seed on the same
 * machine show no regression in any row (CPU judged by batch means, latency quantiles by
 * intervals, max never judged without repeats), while a real 20 ms server delay does.
 */
describe('rtbench compare of single runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-noise-'));
  const run = async (name: string, extra: string[] = []): Promise<string> => {
    const out = join(dir, `${name}.json`);
    const cli = await runCli(['run', 'smoke', '--transports', 'sse,ws', '--clients', '20', '--rate', '50', '--duration', '8s', '--warmup', '1s', '--quiet', '--no-thresholds', '--out', out, ...extra]);
    expect(cli.code, cli.stderr).toBe(0);
    return out;
  };
  const compare = async (a: string, b: string): Promise<Comparison> => {
    const cli = await runCli(['compare', a, b, '--format', 'json']);
    expect(cli.code, cli.stderr).toBe(0);
    return JSON.parse(cli.stdout) as Comparison;
  };
  const rows = (c: Comparison) => c.runs.flatMap((r) => r.phases.flatMap((p) => p.metrics.map((m) => ({ phase: p.key, ...m }))));

  it('same seed twice: nothing regressed; a 20 ms server delay: latency regressed beyond noise', async () => {
    const first = await run('first');
    const second = await run('second');
    const delayed = await run('delayed', ['--set', 'server.publishDelay=20ms']);

    const same = rows(await compare(first, second));
    expect(same.filter((m) => m.verdict === 'regressed').map((m) => `${m.phase} ${m.metric}`)).toEqual([]);
    // latency.max moves between identical runs; without repeats it is never called a regression.
    for (const m of same.filter((r) => r.metric === 'latency.max')) expect(m.noise, m.phase).toBeUndefined();
    expect(same.some((m) => m.noise?.method === 'batch-means')).toBe(true);

    const slower = rows(await compare(first, delayed));
    for (const phase of ['sse', 'ws']) {
      const p50 = slower.find((m) => m.phase === phase && m.metric === 'latency.p50')!;
      expect(p50.verdict, phase).toBe('regressed');
      expect(p50.noise?.method, phase).toBe('quantile-interval');
      expect(p50.delta!, phase).toBeGreaterThan(15_000);
    }
  }, 180_000);
});
