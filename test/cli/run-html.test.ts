import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('rtbench run --html', () => {
  it('writes the report beside the result, with the run embedded, and says where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-html-'));
    const result = await runCli(['run', '--transports', 'ws', '--clients', '3', '--duration', '1s', '--warmup', '100ms', '--quiet', '--html', '--out', join(dir, 'r.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Report: ${join(dir, 'r.html')}`);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('<title>rtbench report · default</title>');
    expect(html).toMatch(/<canvas/);
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained: nothing loaded from elsewhere
    expect(existsSync(join(dir, 'r.json'))).toBe(true);
  }, 30_000);

  it('writes it where --html says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-html-'));
    const result = await runCli(['run', '--transports', 'ws', '--clients', '2', '--duration', '500ms', '--warmup', '100ms', '--quiet', '--html', join(dir, 'nested', 'x.html'), '--out', dir]);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'nested', 'x.html'))).toBe(true);
  }, 30_000);
});
