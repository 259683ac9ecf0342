import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePhase, fixtureResult } from './html-fixtures.js';

describe('rtbench report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtb-report-cli-'));
    await writeFile(join(dir, 'a.json'), JSON.stringify(fixtureResult([fixturePhase('ws', { latenciesUs: [1000, 2000], metrics: { 'latency.p50': 1000 } })])));
    await writeFile(join(dir, 'b.json'), JSON.stringify(fixtureResult([fixturePhase('sse', { latenciesUs: [3000], metrics: { 'latency.p50': 3000 } })])));
    await writeFile(join(dir, 'other.json'), JSON.stringify({ schema: 'something/2', phases: [] }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the report beside the first result by default and prints its path', async () => {
    const run = await runCli(['report', 'a.json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Report: a.html\n');
    const html = await readFile(join(dir, 'a.html'), 'utf8');
    expect(html).toContain('<title>rtbench report · fixture</title>');
  });

  it('puts several files in one report, labelled by file name, at --out', async () => {
    const run = await runCli(['report', 'a.json', 'b.json', '--out', 'cmp/before-after.html'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Report: ${join('cmp', 'before-after.html')}\n`);
    const html = await readFile(join(dir, 'cmp', 'before-after.html'), 'utf8');
    expect(html).toContain('<td>a</td><td><span class="swatch" style="background:#1c7ed6"></span>ws');
    expect(html).toContain('<td>b</td><td><span class="swatch" style="background:#2b8a3e"></span>sse');
  });

  it('refuses a missing file or one that is not a result with exit 2 and one line naming it', async () => {
    const missing = await runCli(['report', 'a.json', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('rtbench: nope.json: no such result file\n');
    const other = await runCli(['report', 'other.json'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toBe('rtbench: other.json: has schema "something/2"; this rtbench reads rtbench.result/1\n');
    const none = await runCli(['report'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'results'");
  });
});
