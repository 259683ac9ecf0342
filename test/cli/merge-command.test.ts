/**
 * `rtbench merge`: shard results from any orchestrator → one result; anything that is not the
 * N shards of one run is refused with one line and exit 2 (README "Exit codes").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli, startCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-merge-'));
const file = (name: string): string => join(dir, name);
let server: Awaited<ReturnType<typeof startCli>>;
let shard0: RunResult;

/** A copy of shard 0's result changed by `change`, written as `name`. */
function variant(name: string, change: (r: RunResult) => void): string {
  const copy = structuredClone(shard0);
  change(copy);
  writeFileSync(file(name), JSON.stringify(copy));
  return file(name);
}

beforeAll(async () => {
  server = await startCli(['server', '--json'], /"url":"([^"]+)"/);
  const url = server.match[1];
  const args = ['run', 'smoke', '--transports', 'ws', '--clients', '4', '--duration', '1s', '--warmup', '1500ms', '--quiet', '--target', url];
  const runs = await Promise.all([0, 1].map((i) => runCli([...args, '--shard', `${i}/2`, '--out', file(`s${i}.json`)], { timeoutMs: 60_000 })));
  for (const [i, run] of runs.entries()) if (run.code !== 0) throw new Error(`shard ${i} exited ${run.code}: ${run.stderr}`);
  shard0 = JSON.parse(readFileSync(file('s0.json'), 'utf8')) as RunResult;
}, 90_000);

afterAll(() => {
  server?.child.kill('SIGTERM'); // the server this file started
  rmSync(dir, { recursive: true, force: true });
});

describe('rtbench merge', () => {
  it('merges the shards of one run into one result and prints its table', async () => {
    const out = file('merged.json');
    const run = await runCli(['merge', file('s1.json'), file('s0.json'), '--out', out, '--no-color']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Merged 2 shards of smoke \(run [0-9a-f]{8}\)\./);
    expect(run.stdout).toContain('│ ws ');
    expect(run.stdout).toContain(`Result: `);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    const ws = merged.phases[0];
    expect(ws.metrics.clients).toBe(4);
    expect(ws.metrics.expected).toBe(ws.metrics.delivered);
    // smoke: 20 events/s on one topic, 1 s window, to 4 clients.
    expect(ws.metrics.expected).toBe(80);
    expect(merged.config.shard).toBeUndefined();
    expect(merged.merged!.shards.map((s) => s.index)).toEqual([0, 1]);
  });

  it('exits 99 when a threshold fails on the merged result', async () => {
    const run = await runCli(['merge', file('s0.json'), file('s1.json'), '--out', file('m99.json'), '--threshold', 'ws.delivered > 1000']);
    expect(run.code).toBe(99);
    expect(run.stderr).toMatch(/^rtbench: 1 of \d+ threshold checks failed: ws: delivered 80, expected > 1000/);
  });

  const refusals: [string, () => string[], RegExp][] = [
    ['different scenarios', () => [file('s0.json'), variant('other-scenario.json', (r) => { r.scenario.name = 'ticker'; r.shard!.index = 1; })], /are not shards of one run: different scenarios, "smoke" and "ticker"$/],
    ['different seeds', () => [file('s0.json'), variant('other-seed.json', (r) => { r.config.seed = 8; r.shard!.index = 1; })], /are not shards of one run: different seeds, 7 and 8$/],
    ['different shard counts', () => [file('s0.json'), variant('other-count.json', (r) => { r.shard!.count = 3; r.shard!.index = 1; })], /different shard counts, 2 and 3$/],
    ['a different configuration', () => [file('s0.json'), variant('other-config.json', (r) => { r.config.durationUs = 9_000_000; r.shard!.index = 1; })], /different configurations \(durationUs\): 1000000 and 9000000$/],
    ['a shard given twice', () => [file('s0.json'), file('s0.json')], /^rtbench: shard 0 of 2 given twice: .*s0\.json and .*s0\.json$/],
    ['a missing shard', () => [file('s0.json')], /^rtbench: shard 1 of 2 missing: merge needs every shard's result \(got 1\)$/],
    ['a result that is not a shard', () => [file('s0.json'), variant('plain.json', (r) => { delete r.shard; })], /plain\.json is not a shard result \(it was not run with --shard i\/N\)/],
  ];
  for (const [what, files, message] of refusals) {
    it(`refuses ${what} with one line, exit 2`, async () => {
      const run = await runCli(['merge', ...files(), '--out', file('never.json')]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    });
  }
});
