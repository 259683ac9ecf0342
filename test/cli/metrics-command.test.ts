import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS } from '../../src/metrics/catalog.js';
import { runCli } from '../helpers/cli.js';

describe('rtbench metrics', () => {
  it('lists every catalogue metric, one line each, with how to write its value', async () => {
    const run = await runCli(['metrics']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^metric +value \(unit\) +better +deterministic +description$/);
    expect(lines.slice(1, 1 + METRIC_NAMES.length).map((l) => l.split(/\s+/)[0])).toEqual(METRIC_NAMES);
    expect(lines.find((l) => l.startsWith('latency.p99 '))).toMatch(/^latency\.p99 +duration: 800us, 50ms, 2s +lower +99th percentile delivery latency$/);
    expect(lines.find((l) => l.startsWith('lost '))).toMatch(/^lost +count: 0, 12 +lower +yes +expected deliveries never received, counted per stream from seq gaps \(origin, topic, subscriber\)$/);
    expect(lines.find((l) => l.startsWith('server.cpu_us_per_event '))).toMatch(/µs: 20, or a duration: 20us, 1ms +lower +server CPU time per delivered event$/);
  });

  it('--json gives the catalogue as data', async () => {
    const run = await runCli(['metrics', '--json']);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { name: string; unit: string; better: string; deterministic: boolean; description: string }[];
    expect(list.map((m) => m.name)).toEqual(METRIC_NAMES);
    expect(list.find((m) => m.name === 'delivered_ratio')).toEqual({ name: 'delivered_ratio', ...METRICS.delivered_ratio, deterministic: true });
    expect(list.find((m) => m.name === 'latency.p50')!.deterministic).toBe(false);
  });
});
