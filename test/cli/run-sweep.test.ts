import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';

async function run(args: string[]): Promise<RunResult> {
  const result = await runCli(['run', ...args, '--duration', '1s', '--warmup', '200ms', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-sweep-'))]);
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as RunResult;
}

describe('sweeps: each value of one parameter becomes a set of phases', () => {
  it('clients: every transport once per value, keyed and parameterised by it', async () => {
    const result = await run(['--transports', 'sse,ws', '--sweep', 'clients=2,5']);
    expect(result.phases.map((p) => [p.key, p.params.clients, p.sweep?.value])).toEqual([
      ['sse[clients=2]', 2, 2],
      ['ws[clients=2]', 2, 2],
      ['sse[clients=5]', 5, 5],
      ['ws[clients=5]', 5, 5],
    ]);
    for (const p of result.phases) expect(p.metrics.connected).toBe(p.params.clients);
  }, 60_000);

  it('interval: only polling varies; the other transports run once as the reference', async () => {
    const result = await run(['--transports', 'polling,ws', '--clients', '3', '--sweep', 'interval=200ms,400ms']);
    expect(result.phases.map((p) => [p.key, p.sweep?.param ?? null, p.params.pollIntervalUs ?? null])).toEqual([
      ['polling@200ms', 'interval', 200_000],
      ['polling@400ms', 'interval', 400_000],
      ['ws', null, null],
    ]);
  }, 60_000);

  it('payloadBytes: the bytes per event grow by the payload difference', async () => {
    const result = await run(['--transports', 'ws', '--clients', '3', '--arrival', 'fixed', '--sweep', 'payloadBytes=10,1010']);
    const [small, large] = result.phases.map((p) => p.metrics.bytes_per_event!);
    // 1000 more payload bytes per event, plus 2 more bytes of WebSocket header (≥126-byte frames).
    expect(large - small).toBeGreaterThanOrEqual(1000);
    expect(large - small).toBeLessThanOrEqual(1003);
  }, 60_000);
});
