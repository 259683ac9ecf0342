/**
 * `rtbench coordinate` with `rtbench run --shard i/N --coordinator URL` (DESIGN §6): a barrier,
 * a start time per phase, one merged result and exit code; a shard that disappears fails the
 * run; late, mismatched or unreachable: one line each, a documented exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { CLI, runCli, startCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-coord-'));
let server: Awaited<ReturnType<typeof startCli>>;
let target: string;
const started: ChildProcess[] = [];

interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts `rtbench <args>` and keeps its output; the test ends only processes it started. */
function start(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, stdout: () => stdout, exited };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A coordinator on a free port; resolves once it says where it listens. */
async function coordinator(args: string[]): Promise<Running & { url: string }> {
  const c = start(['coordinate', ...args, '--port', '0']);
  await until('the coordinator to listen', () => /ws:\/\/[\d.:]+/.test(c.stderr()));
  return { ...c, url: c.stderr().match(/ws:\/\/[\d.:]+/)![0] };
}

const shardArgs = (i: number, n: number, url: string, extra: string[] = []): string[] => [
  'run', 'smoke', '--transports', 'sse,ws', '--clients', '4', '--duration', '1s', '--warmup', '500ms', '--quiet',
  '--target', target, '--shard', `${i}/${n}`, '--coordinator', url, '--out', join(dir, `shard-${i}-${n}-${Math.random().toString(36).slice(2)}.json`), ...extra,
];

beforeAll(async () => {
  server = await startCli(['server', '--json'], /"url":"([^"]+)"/);
  target = server.match[1];
});

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL'); // only processes this file started
  server?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('rtbench coordinate', () => {
  it('holds a barrier, starts every phase on all shards, merges their results and sets the exit code', async () => {
    const out = join(dir, 'coordinated.json');
    const c = await coordinator(['smoke', '--shards', '2', '--out', out]);
    const shards = [0, 1].map((i) => start(shardArgs(i, 2, c.url)));
    expect(await Promise.all(shards.map((s) => s.exited))).toEqual([0, 0]);
    expect(await c.exited).toBe(0);
    const log = c.stderr();
    expect(log).toMatch(/shard \d joined \(1 of 2\)[\s\S]*shard \d joined \(2 of 2\)/);
    expect(log).toMatch(/phase 1: every shard ready; starting at \d{4}-\d\d-\d\dT/);
    expect(log).toMatch(/phase 2: every shard ready; starting at/);
    expect(c.stdout()).toMatch(/^Merged 2 shards of smoke/);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(merged.status).toBe('complete');
    for (const phase of merged.phases) {
      // smoke: 20 events/s on one topic over a 1 s window, 4 clients.
      expect(phase.metrics.expected).toBe(80);
      expect(phase.metrics.delivered).toBe(80);
      expect(phase.metrics.clients).toBe(4);
    }
    expect(merged.thresholds!.every((t) => t.ok)).toBe(true);
  }, 60_000);

  it('fails the run when a shard disappears mid-run: one line, exit 4; the other shard is stopped', async () => {
    const c = await coordinator(['smoke', '--shards', '2', '--out', join(dir, 'gone.json')]);
    const shards = [0, 1].map((i) => start(shardArgs(i, 2, c.url, ['--duration', '5s'])));
    await until('phase 1 to start', () => c.stderr().includes('phase 1: every shard ready'));
    await new Promise((r) => setTimeout(r, 2500));
    shards[1].child.kill('SIGKILL'); // the shard process this test started
    expect(await c.exited).toBe(4);
    expect(c.stderr()).toMatch(/^rtbench: shard 1 disappeared during phase 1 without handing in its result; the run failed$/m);
    expect(await shards[0].exited).toBe(4);
    expect(shards[0].stderr().trim()).toMatch(/^rtbench: the coordinator stopped the run: shard 1 disappeared during phase 1/);
  }, 60_000);

  it('fails the run when not every shard joins in time: one line, exit 4', async () => {
    const c = await coordinator(['smoke', '--shards', '2', '--join-timeout', '2s']);
    const shard = start(shardArgs(0, 2, c.url));
    expect(await c.exited).toBe(4);
    expect(c.stderr().trim().split('\n').at(-1)).toBe('rtbench: only 1 of 2 shards joined within 2 s (missing: shard 1)');
    expect(await shard.exited).toBe(4);
    expect(shard.stderr().trim()).toBe('rtbench: the coordinator stopped the run: only 1 of 2 shards joined within 2 s (missing: shard 1)');
  }, 30_000);

  it('refuses a shard that joins after the run started: one line, exit 4', async () => {
    const c = await coordinator(['smoke', '--shards', '1']);
    const first = start(shardArgs(0, 1, c.url));
    await until('phase 1 to start', () => c.stderr().includes('phase 1: every shard ready'));
    const late = await runCli(shardArgs(0, 1, c.url), { timeoutMs: 20_000 });
    expect(late.code).toBe(4);
    expect(late.stderr.trim()).toBe('rtbench: shard 0 joined late: the run started without it (the coordinator waits 60 s for every shard)');
    expect(await first.exited).toBe(0);
    expect(await c.exited).toBe(0);
  }, 60_000);

  it('refuses shards whose arguments do not match the run: one line, exit 2', async () => {
    const c = await coordinator(['smoke', '--shards', '2', '--join-timeout', '8s']);
    const count = await runCli(shardArgs(0, 3, c.url), { timeoutMs: 20_000 });
    expect(count.code).toBe(2);
    expect(count.stderr.trim()).toBe('rtbench: --shard 0/3: this run has 2 shards (rtbench coordinate --shards 2)');
    const first = start(shardArgs(0, 2, c.url));
    await until('shard 0 to join', () => c.stderr().includes('shard 0 joined'));
    const seed = await runCli(shardArgs(1, 2, c.url, ['--seed', '8']), { timeoutMs: 20_000 });
    expect(seed.code).toBe(2);
    expect(seed.stderr.trim()).toBe("rtbench: --shard 1/2: this shard's seed is 8; shard 0's is 7");
    const clients = await runCli(shardArgs(1, 2, c.url, ['--clients', '6']), { timeoutMs: 20_000 });
    expect(clients.code).toBe(2);
    expect(clients.stderr.trim()).toBe('rtbench: --shard 1/2: this shard and shard 0 have different configurations (clients.count): 4 and 6');
    // Nobody else joins: the barrier times out and both the coordinator and shard 0 end, exit 4.
    expect(await c.exited).toBe(4);
    expect(await first.exited).toBe(4);
  }, 60_000);

  it('a coordinator that cannot be reached: one line, exit 4', async () => {
    const run = await runCli(shardArgs(0, 2, 'ws://127.0.0.1:9', ['--join-timeout', '1s']), { timeoutMs: 20_000 });
    expect(run.code).toBe(4);
    expect(run.stderr.trim()).toMatch(/^rtbench: --coordinator ws:\/\/127\.0\.0\.1:9: cannot be reached within 1 s \(.*ECONNREFUSED.*\)$/);
  }, 30_000);
});
