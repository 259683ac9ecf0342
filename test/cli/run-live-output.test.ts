import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import type { SecondRecord } from '../../src/runner/progress.js';
import { runCli } from '../helpers/cli.js';

/** `--out ndjson=FILE` and `--out csv=FILE`: a record per phase-second as the run goes, like `k6 --out json`. */
describe('rtbench run --out ndjson=FILE --out csv=FILE', () => {
  it('writes every second of every phase, and each phase\'s figures, beside the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-live-'));
    const run = await runCli(['run', 'smoke', '--transports', 'sse,ws', '--duration', '2s', '--warmup', '500ms', '--quiet', '--json', '--out', join(dir, 'result.json'), '--out', `ndjson=${join(dir, 'live.ndjson')}`, '--out', `csv=${join(dir, 'live.csv')}`]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).phases).toHaveLength(2);

    const lines = readFileSync(join(dir, 'live.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    for (const phase of result.phases) {
      const seconds = lines.filter((l) => l.type === 'second' && l.phase === phase.key) as unknown as SecondRecord[];
      // The series the result stores, second by second: same seconds, same deliveries.
      expect(seconds.map((s) => s.t), phase.key).toEqual(phase.timeseries.t);
      expect(seconds.map((s) => s.delivered), phase.key).toEqual(phase.timeseries.delivered);
      expect(seconds.reduce((n, s) => n + s.delivered, 0), phase.key).toBeGreaterThanOrEqual(phase.metrics.delivered!);
      expect(seconds.some((s) => s.stage === 'measuring'), phase.key).toBe(true);
      const summary = lines.find((l) => l.type === 'phase' && l.phase === phase.key) as unknown as { metrics: unknown; status: string };
      expect(summary.status).toBe('complete');
      expect(summary.metrics).toEqual(phase.metrics);
    }

    const csv = readFileSync(join(dir, 'live.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('phase,transport,t,stage,connected,delivered,requests,bytesDown,latencyP50Us,latencyP99Us,serverCpuPercent,serverRssBytes,generatorCpuPercent');
    expect(csv.length - 1).toBe(lines.filter((l) => l.type === 'second').length);
  }, 60_000);

  it('an unknown output kind is one line, exit 2', async () => {
    const run = await runCli(['run', 'smoke', '--out', 'xml=/tmp/x.xml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('rtbench: --out xml=/tmp/x.xml: unknown output "xml"; use ndjson=FILE, csv=FILE, or a path for the result\n');
  });
});
