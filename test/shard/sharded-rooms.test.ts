/**
 * The rooms pattern (chat) sharded: rooms are split whole between shards (plan.ts sliceOf), so a
 * room's members publish and receive on one host; each shard times every event its clients
 * receive and owes them nothing from other shards. Merged, the counts are one process's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../src/metrics/histogram.js';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';

// 50 clients in rooms of 10 = 5 rooms: shard 0 of 2 holds rooms 0–1 (20 clients), shard 1 rooms 2–4 (30).
// Fixed arrivals, 1 event/s per client: every client publishes exactly 2 events in the 2 s window.
const SCENARIO = ['run', 'chat', '--transports', 'sse,ws', '--clients', '50', '--upstream-rate', '1', '--arrival', 'fixed', '--duration', '2s', '--warmup', '2s', '--quiet'];
const dir = mkdtempSync(join(tmpdir(), 'rtbench-rooms-shards-'));
let server: Awaited<ReturnType<typeof startCli>>;
let url: string;
let shards: RunResult[];
let single: RunResult;
let merged: RunResult;
let shardRuns: CliResult[];

const read = (file: string): RunResult => JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunResult;
const phase = (result: RunResult, key: string): PhaseResult => result.phases.find((p) => p.key === key)!;

beforeAll(async () => {
  server = await startCli(['server', '--json'], /"url":"([^"]+)"/);
  url = server.match[1];
  shardRuns = await Promise.all([0, 1].map((i) => runCli([...SCENARIO, '--target', url, '--shard', `${i}/2`, '--out', join(dir, `shard-${i}.json`)], { timeoutMs: 60_000 })));
  for (const [i, run] of shardRuns.entries()) if (run.code !== 0) throw new Error(`shard ${i} exited ${run.code}: ${run.stderr}`);
  shards = [0, 1].map((i) => read(`shard-${i}.json`));
  const singleRun = await runCli([...SCENARIO, '--target', url, '--out', join(dir, 'single.json')], { timeoutMs: 60_000 });
  if (singleRun.code !== 0) throw new Error(`single run exited ${singleRun.code}: ${singleRun.stderr}`);
  single = read('single.json');
  const mergeRun = await runCli(['merge', join(dir, 'shard-0.json'), join(dir, 'shard-1.json'), '--out', join(dir, 'merged.json')]);
  if (mergeRun.code !== 0) throw new Error(`merge exited ${mergeRun.code}: ${mergeRun.stderr}`);
  merged = read('merged.json');
}, 120_000);

afterAll(() => {
  server?.child.kill('SIGTERM'); // the server this file started
  rmSync(dir, { recursive: true, force: true });
});

describe('rtbench run chat --shard i/N', () => {
  it('splits the rooms whole: 2 rooms to shard 0, 3 to shard 1', () => {
    expect(shards.map((r) => r.phases.map((p) => p.metrics.clients))).toEqual([[20, 20], [30, 30]]);
  });

  it('each shard times every event its clients receive (all were published on its host) and loses none', () => {
    for (const r of shards) {
      for (const p of r.phases) {
        expect(p.status).toBe('complete');
        expect(p.metrics.lost).toBe(0);
        expect(p.metrics.expected).toBeGreaterThan(0);
        expect(p.metrics.delivered).toBe(p.metrics.expected);
        // Every delivery in the window is timed: no other shard's origin reaches these rooms.
        expect(decodeHistogram(p.histograms.latency).totalCount).toBe(p.metrics.delivered);
      }
    }
  });

  it('merged, the counts are what one process running every client counted', () => {
    expect(merged.status).toBe('complete');
    expect(merged.merged!.clocks).toMatch(/Rooms are split whole/);
    for (const key of ['sse', 'ws']) {
      const m = phase(merged, key).metrics;
      const s = phase(single, key).metrics;
      for (const name of ['clients', 'connected', 'expected', 'delivered', 'lost', 'duplicated', 'out_of_order'] as const) {
        expect(m[name], `${key} ${name}`).toBe(s[name]);
      }
      expect(m.lost).toBe(0);
      expect(decodeHistogram(phase(merged, key).histograms.latency).totalCount).toBe(m.delivered);
    }
  });

  it('more shards than rooms: one line, exit 2', async () => {
    const run = await runCli([...SCENARIO, '--target', url, '--shard', '0/6'], { timeoutMs: 20_000 });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^rtbench: --shard 0\/6: phase sse has 5 rooms \(50 clients in rooms of 10\); rooms are split whole, so each of 6 shards needs at least one$/);
    expect(run.stdout).toBe('');
  });
});
