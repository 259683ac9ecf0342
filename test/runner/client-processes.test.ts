import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/config/load.js';
import { isRtbError } from '../../src/errors.js';
import { CLIENTS_PER_PROCESS, processCount } from '../../src/runner/client-processes.js';
import { groupInits } from '../../src/runner/worker-pool.js';
import { applyShardFlags } from '../../src/shard/shard-config.js';
import type { WorkerInit } from '../../src/worker/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'rtbench-processes-'));

function scenarioFile(extra: string): string {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: p\nworkload: { pattern: broadcast, rate: 10 }\ntransports: { sse: }\n${extra}\n`);
  return file;
}

describe('how many client processes a phase gets', () => {
  it('by default one per 19000 clients: 1 for small runs, 2 for 30000 (each inside a 20000-file limit)', () => {
    expect(processCount(undefined, 300)).toBe(1);
    expect(processCount(undefined, CLIENTS_PER_PROCESS)).toBe(1);
    expect(processCount(undefined, CLIENTS_PER_PROCESS + 1)).toBe(2);
    expect(processCount(undefined, 30_000)).toBe(2);
    expect(processCount(undefined, 60_000)).toBe(4);
  });

  it('--processes when given, but never more processes than clients', () => {
    expect(processCount(3, 300)).toBe(3);
    expect(processCount(5, 2)).toBe(2);
  });

  it('splits the workers into contiguous groups, as even as they go, none empty', () => {
    const inits = Array.from({ length: 5 }, (_, i) => ({ workerIndex: i }) as WorkerInit);
    expect(groupInits(inits, 2).map((g) => g.map((w) => w.workerIndex))).toEqual([[0, 1, 2], [3, 4]]);
    expect(groupInits(inits.slice(0, 2), 3).map((g) => g.map((w) => w.workerIndex))).toEqual([[0], [1]]);
  });

  it('a scenario may set processes:, the flag overrides it, and a bad value is refused naming the field', () => {
    const fromFile = loadRunConfig({ scenario: scenarioFile('processes: 3'), flags: {} });
    expect(fromFile.processes).toBe(3);
    expect(applyShardFlags(fromFile, { processes: 2 }).processes).toBe(2);
    expect(applyShardFlags(fromFile, {}).processes).toBe(3);
    // Small runs keep the kernel's choice of address unless there are several processes.
    expect(applyShardFlags(loadRunConfig({ scenario: scenarioFile(''), flags: {} }), {}).sourceAddresses).toBeUndefined();
    expect(applyShardFlags(fromFile, {}).sourceAddresses).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    try {
      loadRunConfig({ scenario: scenarioFile('processes: 0'), flags: {} });
      expect.unreachable('processes: 0 was accepted');
    } catch (error) {
      expect(isRtbError(error) && error.code).toBe('RTB_ERR_SCENARIO_INVALID');
      expect((error as Error).message).toMatch(/\.yaml:4: processes: expected a number ≥ 1; found 0$/);
    }
  });
});
