import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';

const BASELINE = fileURLToPath(new URL('../../results/baseline-smoke.json', import.meta.url));

let dir: string;
const damaged: Record<'truncated' | 'garbage' | 'number', string> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-damaged-'));
  const result = JSON.parse(await readFile(BASELINE, 'utf8')) as RunResult;
  const latency = result.phases[0].histograms.latency;
  const variants: [keyof typeof damaged, unknown][] = [
    ['truncated', latency.slice(0, 40)],
    ['garbage', 'not a histogram'],
    ['number', 42],
  ];
  for (const [name, value] of variants) {
    const copy = structuredClone(result);
    (copy.phases[0].histograms as Record<string, unknown>).latency = value;
    damaged[name] = join(dir, `${name}.json`);
    await writeFile(damaged[name], JSON.stringify(copy));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a result file with a damaged histogram is one line and exit 2, for compare and report alike', () => {
  it.each([
    ['truncated', /^does not decode \(unexpected end of file \(Z_BUF_ERROR\)\)$/],
    ['garbage', /^does not decode \(.+\)$/],
    ['number', /^is a number, not an encoded histogram$/],
  ] as const)('%s', async (name, problem) => {
    const file = damaged[name];
    for (const args of [
      ['compare', BASELINE, file],
      ['compare', file, BASELINE],
      ['report', file, '--out', join(dir, `${name}.html`)],
    ]) {
      const run = await runCli(args);
      const prefix = `rtbench: ${file}: is damaged (phase polling@500ms: its latency histogram `;
      expect(run.stderr.startsWith(prefix), `${args[0]}: ${run.stderr}`).toBe(true);
      expect(run.stderr.endsWith(')\n')).toBe(true);
      expect(run.stderr.slice(prefix.length, -2)).toMatch(problem);
      expect(run.stderr.split('\n')).toHaveLength(2);
      expect(run.stdout).toBe('');
      expect(run.code).toBe(2);
    }
  });

  it('an undamaged file still reads', async () => {
    const run = await runCli(['compare', BASELINE, BASELINE, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
