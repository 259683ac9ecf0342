/**
 * The shard code path the pods run (DESIGN §6): N `rtbench run --shard i/N` processes on this
 * machine, each from its own 127.0.0.x source address, against one `rtbench server`; their
 * results merged with `rtbench merge` and checked against one process running the same
 * scenario against the same server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram, newHistogram } from '../../src/metrics/histogram.js';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';

const SHARDS = 3;
// Fixed arrivals: 30 events/s in one process, 10/s per shard — the window holds exactly 60 events either way.
// Without a coordinator each shard starts on its own: a 2 s warmup absorbs the processes' start-up spread.
const SCENARIO = ['run', 'smoke', '--transports', 'sse,polling', '--interval', '500ms', '--clients', '6', '--rate', '30', '--duration', '2s', '--warmup', '2s', '--quiet'];

const dir = mkdtempSync(join(tmpdir(), 'rtbench-shards-'));
let server: Awaited<ReturnType<typeof startCli>>;
let url: string;
let single: RunResult;
let shards: RunResult[];
let shardRuns: CliResult[];
let merged: RunResult;
let mergeRun: CliResult;

const read = (file: string): RunResult => JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunResult;
const phase = (result: RunResult, key: string): PhaseResult => result.phases.find((p) => p.key === key)!;

beforeAll(async () => {
  server = await startCli(['server', '--json'], /"url":"([^"]+)"/);
  url = server.match[1];
  shardRuns = await Promise.all(Array.from({ length: SHARDS }, (_, i) => runCli([...SCENARIO, '--target', url, '--shard', `${i}/${SHARDS}`, '--out', join(dir, `shard-${i}.json`)], { timeoutMs: 60_000 })));
  for (const [i, run] of shardRuns.entries()) if (run.code !== 0) throw new Error(`shard ${i} exited ${run.code}: ${run.stderr}`);
  shards = Array.from({ length: SHARDS }, (_, i) => read(`shard-${i}.json`));
  const singleRun = await runCli([...SCENARIO, '--target', url, '--out', join(dir, 'single.json')], { timeoutMs: 60_000 });
  expect(singleRun.stderr).toBe('');
  single = read('single.json');
  // Any order: merge sorts by shard index.
  mergeRun = await runCli(['merge', join(dir, 'shard-2.json'), join(dir, 'shard-0.json'), join(dir, 'shard-1.json'), '--out', join(dir, 'merged.json'), '--json']);
  merged = read('merged.json');
}, 120_000);

afterAll(() => {
  server?.child.kill('SIGTERM'); // the server this file started, by its process handle
  rmSync(dir, { recursive: true, force: true });
});

describe('rtbench run --shard i/N against one server', () => {
  it('every shard completes, holds its slice of the clients, publishes as its own origin from its own 127.0.0.x', () => {
    for (const [i, run] of shardRuns.entries()) {
      expect(run.stderr, `shard ${i}`).toBe('');
      expect(run.code).toBe(0);
      const r = shards[i];
      expect(r.shard).toEqual({ index: i, count: SHARDS, runId: shards[0].shard!.runId, origin: `p${i}` });
      expect(r.config.sourceAddresses).toEqual([`127.0.0.${2 + i}`]);
      for (const p of r.phases) {
        expect(p.status).toBe('complete');
        expect(p.metrics.clients).toBe(2);
        expect(p.params.clients).toBe(6);
        // 10 events/s per shard over a 2 s window, fixed arrivals.
        expect(p.metrics['publisher.events']).toBe(20);
      }
    }
  });

  it("each shard's subscribers receive every origin's events but time only their own", () => {
    for (const r of shards) {
      for (const p of r.phases) {
        // Owed: all 60 window events (3 origins × 20) to each of its 2 clients, all delivered.
        expect(p.metrics.expected).toBe(120);
        expect(p.metrics.delivered).toBe(120);
        expect(p.metrics.lost).toBe(0);
        expect(p.metrics.duplicated).toBe(0);
        // Timed: only its own origin's 20 events, once per client.
        expect(decodeHistogram(p.histograms.latency).totalCount).toBe(40);
        expect(p.metrics['latency.p50']).toBeGreaterThan(0);
        expect(p.metrics['latency.p50']).toBeLessThan(p.key === 'sse' ? 200_000 : 600_000);
      }
    }
  });

  it('the merged result counts what one process running every client counted', () => {
    expect(mergeRun.code).toBe(0);
    expect(merged.status).toBe('complete');
    expect(merged.shard).toBeUndefined();
    expect(merged.merged!.shardCount).toBe(SHARDS);
    expect(merged.merged!.shards.map((s) => s.origin)).toEqual(['p0', 'p1', 'p2']);
    expect(merged.merged!.clocks).toMatch(/shard i's own host clock/);
    expect(merged.phases.map((p) => p.key)).toEqual(single.phases.map((p) => p.key));
    for (const key of ['sse', 'polling@500ms']) {
      const m = phase(merged, key).metrics;
      const s = phase(single, key).metrics;
      for (const name of ['expected', 'delivered', 'lost', 'clients', 'connected', 'publisher.events', 'duplicated', 'out_of_order'] as const) {
        expect(m[name], `${key} ${name}`).toBe(s[name]);
      }
      expect(m.expected).toBe(360);
      expect(m.delivered_ratio).toBe(1);
      // Window receipts are every client's, so per-event cost is comparable with one process's
      // (not equal: each shard's window opens when it does, receipts are counted by arrival).
      expect(m.events_per_second).toBeGreaterThan(0.85 * s.events_per_second!);
      expect(m.events_per_second).toBeLessThan(1.15 * s.events_per_second!);
      expect(m.bytes_per_event).toBeGreaterThan(0.8 * s.bytes_per_event!);
      expect(m.bytes_per_event).toBeLessThan(1.25 * s.bytes_per_event!);
    }
  });

  it("the merged latency histogram is exactly a histogram of every shard's values", () => {
    for (const key of ['sse', 'polling@500ms']) {
      const all = newHistogram();
      let count = 0;
      for (const r of shards) {
        const h = decodeHistogram(phase(r, key).histograms.latency);
        count += h.totalCount;
        all.add(h);
      }
      const m = decodeHistogram(phase(merged, key).histograms.latency);
      expect(m.totalCount).toBe(count);
      expect(m.totalCount).toBe(120);
      for (const p of [0, 50, 90, 99, 99.9, 100]) expect(m.getValueAtPercentile(p), `${key} p${p}`).toBe(all.getValueAtPercentile(p));
      expect(m.minNonZeroValue).toBe(all.minNonZeroValue);
      const metrics = phase(merged, key).metrics;
      expect(metrics['latency.p99']).toBe(all.getValueAtPercentile(99));
      expect(metrics['latency.max']).toBe(all.maxValue);
    }
  });

  it('re-judges the thresholds the shards checked on the whole run', () => {
    const expressions = new Set(merged.thresholds!.map((t) => t.expression));
    expect(expressions).toEqual(new Set(['*.lost == 0', '*.duplicated == 0', '*.out_of_order == 0']));
    expect(merged.thresholds!.every((t) => t.ok)).toBe(true);
    expect(merged.thresholds!.find((t) => t.expression === '*.lost == 0' && t.phase === 'sse')!.message).toMatch(/lost 0/);
  });
});
