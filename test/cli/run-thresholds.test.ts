import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';

const small = ['--transports', 'sse,ws', '--clients', '5', '--duration', '1s', '--warmup', '200ms', '--quiet'];

describe('rtbench run with thresholds', () => {
  it('all pass: exit 0, outcomes stored in the result', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rtbench-thr-')), 'r.json');
    const result = await runCli(['run', ...small, '--threshold', '*.lost == 0', '--threshold', 'ws.latency.p99 < 5s', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Thresholds: 3 of 3 passed');
    const stored = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(stored.thresholds?.map((o) => [o.expression, o.phase, o.ok])).toEqual([
      ['*.lost == 0', 'sse', true],
      ['*.lost == 0', 'ws', true],
      ['ws.latency.p99 < 5s', 'ws', true],
    ]);
  }, 60_000);

  it('one fails: exit 99, one line naming it, JUnit with the failure, the result still written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-thr-'));
    const result = await runCli(['run', ...small, '--threshold', 'sse.latency.p50 < 1us', '--threshold', '*.lost == 0', '--junit', join(dir, 'junit.xml'), '--out', join(dir, 'r.json')]);
    expect(result.code).toBe(99);
    expect(result.stderr).toMatch(/^rtbench: 1 of 3 threshold checks failed: sse: latency\.p50 [\d.]+ [mµ]?s, expected < 1us\n$/);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="rtbench run default" tests="3" failures="1"');
    expect(junit).toContain('<testcase classname="sse" name="sse.latency.p50 &lt; 1us">');
    const stored = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as RunResult;
    expect(stored.status).toBe('complete');
    expect(stored.thresholds?.filter((o) => !o.ok)).toHaveLength(1);
  }, 60_000);

  it('the scenario file’s thresholds are checked too (smoke has three)', async () => {
    const result = await runCli(['run', 'smoke', '--transports', 'ws', '--clients', '3', '--duration', '500ms', '--warmup', '100ms', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-thr-'))]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as RunResult;
    expect(parsed.thresholds?.map((o) => o.expression)).toEqual(['*.lost == 0', '*.duplicated == 0', '*.out_of_order == 0']);
  }, 60_000);

  it('the scenario’s thresholds for transports left out with --transports are skipped with a note, not failed', async () => {
    const result = await runCli(['run', 'ticker', '--transports', 'sse', '--clients', '8', '--duration', '1s', '--warmup', '200ms', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-thr-'))]);
    expect(result.stderr).toBe('rtbench: skipping the scenario\'s threshold "ws.latency.p99 < 250ms": selector "ws" matches none of the planned phases (sse)\n');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as RunResult;
    expect(parsed.thresholds?.map((o) => o.expression)).toEqual(['*.lost == 0', 'sse.latency.p99 < 250ms']);
  }, 60_000);

  it('--no-thresholds skips the scenario’s thresholds; a --threshold is still checked', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-thr-'));
    const result = await runCli(['run', 'smoke', '--no-thresholds', '--threshold', 'ws.lost == 0', '--transports', 'ws', '--clients', '3', '--duration', '500ms', '--warmup', '100ms', '--json', '--quiet', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as RunResult).thresholds?.map((o) => o.expression)).toEqual(['ws.lost == 0']);
  }, 60_000);

  it.each([
    [['--threshold', 'sse.latncy.p99 < 5ms'], 'rtbench: threshold "sse.latncy.p99 < 5ms": unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)'],
    [['--transports', 'ws', '--threshold', 'polling@2s.lost == 0'], 'rtbench: threshold "polling@2s.lost == 0": selector "polling@2s" matches none of the planned phases (ws)'],
  ])('a threshold that is wrong, or could never be checked, is refused before running: %j', async (args, line) => {
    const result = await runCli(['run', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
  });
});
