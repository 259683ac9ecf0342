import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { childrenRunning, startRun } from '../helpers/cli.js';
import { waitFor } from '../helpers/server.js';

/** PIDs of the reference servers a process started (children running server/child-entry.js). */
const referenceServersOf = (parentPid: number): number[] => childrenRunning(parentPid, 'child-entry.js');

function onlyResult(dir: string): RunResult {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as RunResult;
}

describe('a run that is stopped part-way keeps what it measured', () => {
  it('Ctrl-C: stops the phase cleanly, writes a partial result, exit code 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-int-'));
    const run = startRun(['--transports', 'sse,ws', '--clients', '10', '--duration', '30s', '--warmup', '200ms', '--out', out]);
    await waitFor(() => referenceServersOf(run.child.pid!).length === 1, 15_000, 'the reference server');
    await new Promise((r) => setTimeout(r, 2500)); // into the window
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const { stderr } = run.output();
    expect(stderr).toContain('stopping: finishing this phase early and writing what was measured');
    expect(stderr).toMatch(/ sse partial: [\d,]+ deliveries · p50 /);
    expect(stderr).toMatch(/rtbench: interrupted; 0 of 2 phases complete, result marked partial \(partial result kept in .*\.json\)\n$/);
    const result = onlyResult(out);
    expect(result.status).toBe('partial');
    expect(result.interruption?.reason).toBe('interrupted');
    expect(result.phases).toHaveLength(1);
    expect(result.phases[0].status).toBe('partial');
    expect(result.phases[0].metrics.delivered).toBeGreaterThan(0);
    // The server it started is gone.
    expect(referenceServersOf(run.child.pid!)).toEqual([]);
  }, 60_000);

  it('the server dies mid-run: one line naming it, exit code 4, what was measured is kept', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-died-'));
    const run = startRun(['--transports', 'sse,ws', '--clients', '10', '--duration', '30s', '--warmup', '200ms', '--out', out, '--quiet']);
    await waitFor(() => referenceServersOf(run.child.pid!).length === 1, 15_000, 'the reference server');
    const [serverPid] = referenceServersOf(run.child.pid!);
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(serverPid, 'SIGKILL'); // a process this test started (through rtbench), ended by its PID
    expect(await run.exited).toBe(4);
    const { stderr } = run.output();
    expect(stderr).toMatch(new RegExp(`^rtbench: phase sse: the reference server \\(pid ${serverPid}\\) exited during the run \\(signal SIGKILL\\) \\(partial result kept in .*\\.json\\)\\n$`));
    const result = onlyResult(out);
    expect(result.status).toBe('partial');
    expect(result.interruption?.reason).toBe('failed');
    expect(result.phases.map((p) => [p.key, p.status])).toEqual([['sse', 'failed']]);
    expect(result.phases[0].metrics.delivered).toBeGreaterThan(0);
  }, 60_000);

  it('the server stalls (SIGSTOP 3 s) mid-window: the run completes and the phase says the server stalled', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-stall-'));
    const run = startRun(['--transports', 'sse', '--clients', '10', '--duration', '8s', '--warmup', '200ms', '--out', out, '--quiet', '--json']);
    await waitFor(() => referenceServersOf(run.child.pid!).length === 1, 15_000, 'the reference server');
    const [serverPid] = referenceServersOf(run.child.pid!);
    await new Promise((r) => setTimeout(r, 3000)); // into the window
    process.kill(serverPid, 'SIGSTOP'); // a process this test started (through rtbench), by its PID
    await new Promise((r) => setTimeout(r, 3000));
    process.kill(serverPid, 'SIGCONT');
    expect(await run.exited).toBe(0);
    const phase = onlyResult(out).phases[0];
    expect(phase.status).toBe('complete');
    expect(phase.metrics.lost).toBe(0);
    // Samples come once a second; a 3 s stop leaves a gap of at least 3 s (and less than 5).
    const stall = phase.warnings.find((w) => w.startsWith("The server's own load samples stopped"));
    expect(stall).toMatch(/stopped for [34]\.\d+ s during the window/);
    expect(phase.metrics['latency.max']!).toBeGreaterThan(2_500_000);
  }, 60_000);
});
