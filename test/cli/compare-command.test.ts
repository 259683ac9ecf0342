import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { produceResult } from '../helpers/results.js';

let dir: string;
let a: string;
let b: string;
let ticker: string;
const bad: Record<'notJson' | 'truncated' | 'v2' | 'noSchema' | 'empty' | 'damaged', string> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-compare-cli-'));
  a = await produceResult(join(dir, 'a.json'));
  b = await produceResult(join(dir, 'b.json'));
  ticker = await produceResult(join(dir, 'ticker.json'), [], 'ticker');
  const text = await readFile(a, 'utf8');
  const files: [keyof typeof bad, string][] = [
    ['notJson', 'rtbench was here\n'],
    ['truncated', text.slice(0, Math.floor(text.length / 2))],
    ['v2', text.replace('"schema": "rtbench.result/1"', '"schema": "rtbench.result/2"')],
    ['noSchema', '{"phases": []}\n'],
    ['empty', ''],
    ['damaged', JSON.stringify({ ...JSON.parse(text), phases: [{ key: 'sse' }] })],
  ];
  for (const [name, content] of files) {
    bad[name] = join(dir, `${name}.json`);
    await writeFile(bad[name], content);
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rtbench compare', () => {
  it('prints the side-by-side table and exits 0', async () => {
    const run = await runCli(['compare', a, b]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      'rtbench compare · scenario default',
      expect.stringMatching(new RegExp(`^  baseline:  ${escape(a)} \\(started .+, 1 run\\)$`)),
      expect.stringMatching(new RegExp(`^  candidate: ${escape(b)} \\(started .+, 1 run\\)$`)),
    ]);
    expect(run.stdout).toMatch(/│ sse +│ latency\.p50 +│/);
    expect(run.stdout).toMatch(/│ ws +│ latency\.p50 +│/);
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('--format markdown is a GitHub table for the job summary', async () => {
    const run = await runCli(['compare', a, b, '--format', 'markdown', '--metrics', 'lost,bytes_per_event']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('### rtbench compare · default');
    expect(lines).toContain('| phase | metric | baseline | candidate | change | change % | verdict | noise |');
    expect(lines.filter((l) => l.startsWith('|  | bytes_per_event |') || l.startsWith('| sse | lost |') || l.startsWith('| ws | lost |'))).toHaveLength(4);
  });

  it('--format json is the comparison model', async () => {
    const run = await runCli(['compare', a, b, '--format', 'json', '--metrics', 'latency.p50']);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { schema: string; runs: { phases: { key: string; metrics: { metric: string; noise: { method: string } }[] }[] }[] };
    expect(parsed.schema).toBe('rtbench.compare/1');
    expect(parsed.runs[0].phases.map((p) => [p.key, p.metrics.map((m) => [m.metric, m.noise.method])])).toEqual([
      ['sse', [['latency.p50', 'quantile-interval']]],
      ['ws', [['latency.p50', 'quantile-interval']]],
    ]);
  });

  it('--fail-on that is met exits 99 and names every failing check on stderr; --junit records them', async () => {
    const junit = join(dir, 'compare.xml');
    const run = await runCli(['compare', a, b, '--fail-on', '*.clients >= +0', '--fail-on', '*.clients > +0', '--junit', junit]);
    expect(run.code).toBe(99);
    expect(run.stderr).toBe(
      [
        `rtbench: --fail-on "*.clients >= +0" failed for ${b}: sse: clients 10 → 10 (0, +0.0%) is >= +0`,
        `rtbench: --fail-on "*.clients >= +0" failed for ${b}: ws: clients 10 → 10 (0, +0.0%) is >= +0`,
        '',
      ].join('\n'),
    );
    expect(run.stdout).toContain('  FAIL  *.clients >= +0  sse: clients 10 → 10 (0, +0.0%) is >= +0\n');
    expect(run.stdout).toContain('  ok    *.clients > +0  ws: clients 10 → 10 (0, +0.0%)\n');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuites name="rtbench" tests="4" failures="2" errors="0">');
    expect(xml).toContain('<testcase classname="sse" name="*.clients &gt;= +0">\n      <failure message="sse: clients 10 → 10 (0, +0.0%) is &gt;= +0" type="threshold">');
  });

  it('--fail-on checks that all pass exit 0 with nothing on stderr', async () => {
    const run = await runCli(['compare', a, b, '--fail-on', '*.clients > +0', '--fail-on', 'clients != +0']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('rtbench compare: bad input is one line on stderr and exit 2', () => {
  it.each([
    ['a file that is not JSON', () => [a, bad.notJson], () => `rtbench: ${bad.notJson}: is not JSON (it begins "rtbench was here")\n`],
    ['a truncated file', () => [a, bad.truncated], () => `rtbench: ${bad.truncated}: is truncated (the JSON ends early)\n`],
    ['another schema version', () => [a, bad.v2], () => `rtbench: ${bad.v2}: has schema "rtbench.result/2"; this rtbench reads rtbench.result/1\n`],
    ['JSON that is not a result', () => [bad.noSchema, a], () => `rtbench: ${bad.noSchema}: is not an rtbench result (no "schema" field)\n`],
    ['an empty file', () => [a, bad.empty], () => `rtbench: ${bad.empty}: is empty, not an rtbench result\n`],
    ['a damaged result', () => [a, bad.damaged], () => `rtbench: ${bad.damaged}: is damaged (its "phases" are not a list of phase results)\n`],
    ['a missing file', () => [a, join(dir, 'nope.json')], () => `rtbench: ${join(dir, 'nope.json')}: no such result file\n`],
    ['a result of another scenario', () => [a, ticker], () => `rtbench: ${ticker} comes from scenario "ticker" but the baseline ${a} from "default"; compare results of the same scenario\n`],
    ['a --fail-on with a typo', () => [a, b, '--fail-on', 'sse.latncy.p99 > +10%'], () => 'rtbench: --fail-on "sse.latncy.p99 > +10%": unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)\n'],
    ['a --fail-on without a sign', () => [a, b, '--fail-on', 'latency.p99 > 10%'], () => 'rtbench: --fail-on "latency.p99 > 10%": "10%" has no sign; --fail-on states a change from the baseline, e.g. +10%, +2ms or +0\n'],
    [
      'a --fail-on selector no phase has',
      () => [a, b, '--fail-on', 'polling.lost > +0'],
      () => `rtbench: --fail-on "polling.lost > +0": selector "polling" matches none of the phases present in both ${a} and ${b} (sse, ws)\n`,
    ],
    ['an unknown --metrics name', () => [a, b, '--metrics', 'latency.p99,lots'], () => 'rtbench: --metrics: unknown metric "lots"; nearest is "lost" (rtbench metrics lists them all)\n'],
    ['an unknown --format', () => [a, b, '--format', 'html'], () => "rtbench: option '--format <format>' argument 'html' is invalid. Allowed choices are table, markdown, json.\n"],
    ['a single file', () => [a], () => "rtbench: missing required argument 'candidates'\n"],
  ])('%s', async (_name, args, line) => {
    const run = await runCli(['compare', ...args()]);
    expect(run.stderr).toBe(line());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('a --junit path that cannot be written is exit 3 (environment)', async () => {
    const path = join(dir, 'no-such-dir', 'x.xml');
    const run = await runCli(['compare', a, b, '--junit', path]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`rtbench: cannot write the JUnit report to ${path}: ENOENT: no such file or directory, open '${path}'\n`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
