import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResultMarkdown } from '../../src/report/markdown.js';
import { mdCell, mdCode } from '../../src/report/markdown-text.js';
import { resultRow } from '../../src/report/result-cells.js';
import type { RunResult } from '../../src/result/types.js';
import { produceResult } from '../helpers/results.js';

let dir: string;
let result: RunResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-markdown-'));
  result = JSON.parse(await readFile(await produceResult(join(dir, 'run.json')), 'utf8')) as RunResult;
}, 90_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Markdown report of one run', () => {
  it('a heading, then a GitHub table with the terminal table figures, one row per phase', () => {
    const lines = renderResultMarkdown(result).split('\n');
    expect(lines[0]).toBe('### rtbench · default · 10 clients · broadcast · 20 events/s · 1.00 s window');
    const header = lines.indexOf('| phase | delivered | p50 | p99 | max | req/event | bytes/event | server CPU | CPU/event | mem/conn |');
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toBe('| :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
    expect(lines.slice(header + 2, header + 4)).toEqual(result.phases.map((p) => `| ${resultRow(p, 1).join(' | ')} |`));
    expect(lines[header + 4]).toBe('');
    expect(lines.at(-2)).toMatch(/^<sub>rtbench \d+\.\d+\.\d+ · .+ × \d+ · Node\.js v\d+.* · started .+<\/sub>$/);
  });

  it('threshold outcomes as a checklist, and a partial run flagged at the top', () => {
    const withThresholds: RunResult = {
      ...result,
      status: 'partial',
      interruption: { reason: 'interrupted', message: 'stopped with Ctrl-C' },
      thresholds: [
        { expression: '*.lost == 0', phase: 'sse', metric: 'lost', actual: 0, ok: true, message: 'sse: lost 0 == 0' },
        { expression: 'ws.latency.p99 < 1us', phase: 'ws', metric: 'latency.p99', actual: 3000, ok: false, message: 'ws: latency.p99 3.00 ms, expected < 1us' },
      ],
    };
    const text = renderResultMarkdown(withThresholds);
    expect(text.split('\n')[2]).toBe('> **Partial result:** stopped with Ctrl-C; the phases hold what was measured.');
    expect(text).toContain('**Thresholds**: 1 of 2 failed\n\n- ✅ `*.lost == 0` sse: lost 0 == 0\n- ❌ `ws.latency.p99 < 1us` ws: latency.p99 3.00 ms, expected \\< 1us\n');
  });
});

describe('Markdown escaping', () => {
  it('table cells escape pipes and backslashes and flatten line breaks', () => {
    expect(mdCell('a|b\\c\nd')).toBe('a\\|b\\\\c d');
  });

  it('inline code survives backticks in the text', () => {
    expect(mdCode('*.lost == 0')).toBe('`*.lost == 0`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x')).toBe('`` `x ``');
  });
});
