import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/config/load.js';
import { isRtbError } from '../../src/errors.js';
import { availableMemoryBytes, checkMemory, estimateMemory } from '../../src/runner/memory-check.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(clients: number, extra = '') {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: m\nworkload: { pattern: broadcast, rate: 10 }\nclients: { count: ${clients} }\ntransports: { sse: }\n${extra}\n`);
  return loadRunConfig({ scenario: file, flags: {} });
}

const MiB = 2 ** 20;

describe('the pre-run memory check', () => {
  it('estimates grow with the clients, the client kind, and whether the server is rtbench’s', () => {
    const small = estimateMemory(config(1000), 'raw');
    const large = estimateMemory(config(100_000), 'raw');
    expect(large.generatorBytes).toBeGreaterThan(small.generatorBytes);
    expect(large.serverBytes).toBeGreaterThan(small.serverBytes);
    expect(estimateMemory(config(100_000), 'reference').generatorBytes).toBeGreaterThan(large.generatorBytes);
    // Against --target the server is not on this machine's budget.
    expect(estimateMemory(config(100_000, 'target: { url: http://127.0.0.1:9 }'), 'raw').serverBytes).toBe(0);
  });

  it('lets a run through that fits, refuses one that does not with one line naming the numbers (exit 3)', () => {
    const c = config(50_000);
    const { generatorBytes, serverBytes } = estimateMemory(c, 'raw');
    expect(() => checkMemory(c, 'raw', generatorBytes + serverBytes)).not.toThrow();
    let error: unknown;
    try {
      checkMemory(c, 'raw', 512 * MiB);
    } catch (e) {
      error = e;
    }
    expect(isRtbError(error) && error.code).toBe('RTB_ERR_MEMORY');
    const message = (error as Error).message;
    expect(message).toMatch(/^50000 clients need about [\d.]+ (GiB|MiB) of memory \(rtbench's clients about .*, the reference server about .*\), but this machine has 512 MiB available; run at most about \d+ clients here/);
    const fits = Number(/at most about (\d+) clients/.exec(message)![1]);
    expect(fits).toBeLessThan(50_000);
    expect(fits).toBeGreaterThan(0);
  });

  it('reads MemAvailable on Linux', () => {
    const available = availableMemoryBytes();
    expect(available).toBeGreaterThan(64 * MiB);
  });

  it('the CLI: a million SSE clients against a target do not fit in this machine; one line, exit 3, nothing run', async () => {
    // --processes and many source addresses pass the descriptor and port checks; memory is what stops it.
    const available = availableMemoryBytes()!;
    const run = await runCli(['run', 'smoke', '--transports', 'sse', '--clients', '1000000', '--client', 'reference', '--processes', '60', '--target', 'http://127.0.0.1:9', '--quiet'], { timeoutMs: 20_000 });
    if (1_000_000 * 40 * 1024 < available) return; // a machine this large holds it: nothing to refuse
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^rtbench: 1000000 clients need about [\d.]+ GiB of memory \(rtbench's clients about/);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
  });
});
