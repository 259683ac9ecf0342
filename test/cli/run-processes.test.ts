import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { childrenRunning, runCli, startRun } from '../helpers/cli.js';
import { waitFor } from '../helpers/server.js';

/**
 * `--processes N` (issue 13, DESIGN §6): the clients live in N child processes instead of
 * threads of rtbench itself. Small real runs (300 clients, a few seconds) against the
 * reference server: the same seed and fixed arrivals count exactly what one process counts,
 * the children are gone afterwards, and a child dying or Ctrl-C end the run as with threads.
 */
const CLIENTS = 300;
const BASE = ['--transports', 'sse,ws', '--clients', String(CLIENTS), '--rate', '20', '--arrival', 'fixed', '--payload', '16', '--duration', '2s', '--warmup', '500ms', '--workers', '2', '--seed', '7'];


const clientProcessesOf = (pid: number): number[] => childrenRunning(pid, 'client-process.js');

/** Open sockets of a process (its client connections), from /proc/PID/fd. */
function socketsOf(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** Established TCP connections from a local IPv4 address, from /proc/net/tcp (addresses in little-endian hex). */
function connectionsFrom(address: string): number {
  const hex = address.split('.').map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase()).reverse().join('');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((line) => {
    const f = line.trim().split(/\s+/);
    return f[1]?.startsWith(`${hex}:`) && f[3] === '01';
  }).length;
}

function onlyResult(dir: string): RunResult {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as RunResult;
}

function phase(result: RunResult, key: string): PhaseResult {
  const found = result.phases.find((p) => p.key === key);
  if (found === undefined) throw new Error(`no phase ${key}`);
  return found;
}

describe('rtbench run --processes', () => {
  it('2 processes count exactly what 1 process counts; the clients live in the children, on 127.0.0.2 and .3; the children are gone after', async () => {
    const one = await runCli(['run', ...BASE, '--processes', '1', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-p1-'))], { timeoutMs: 120_000 });
    expect(one.code, one.stderr).toBe(0);
    const single = JSON.parse(one.stdout) as RunResult;

    const run = startRun([...BASE, '--processes', '2', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-p2-'))]);
    const pid = run.child.pid!;
    await waitFor(() => clientProcessesOf(pid).length === 2, 15_000, 'two client processes');
    const children = clientProcessesOf(pid);
    // Connected: each child holds its half of the clients' sockets (plus a few of its own), rtbench none of them.
    await waitFor(() => children.every((c) => existsSync(`/proc/${c}`) && socketsOf(c) >= CLIENTS / 2), 20_000, 'each child to hold its clients');
    expect(socketsOf(pid)).toBeLessThan(CLIENTS / 2);
    // Each process's clients connect from an address of their own (ESTABLISHED lines: other tests may add some).
    // (The children's socket counts include their own pipes: a client may still be connecting.)
    await waitFor(() => connectionsFrom('127.0.0.2') >= CLIENTS / 2 && connectionsFrom('127.0.0.3') >= CLIENTS / 2, 20_000, 'every client established from 127.0.0.2 and .3');
    expect(await run.exited, run.output().stderr).toBe(0);
    const split = JSON.parse(run.output().stdout) as RunResult;
    for (const c of children) expect(existsSync(`/proc/${c}`), `client process ${c} still running`).toBe(false);

    for (const key of ['sse', 'ws']) {
      const [a, b] = [phase(single, key), phase(split, key)];
      expect(b.status).toBe('complete');
      expect(b.params.processes).toBe(2);
      expect(a.params.processes).toBeUndefined();
      expect(b.params.workers).toBe(a.params.workers);
      // Fixed arrivals, same seed: 2 s × 20 events/s to each of 300 subscribers.
      expect(a.metrics.expected).toBe(2 * 20 * CLIENTS);
      expect(b.metrics.expected).toBe(a.metrics.expected);
      expect(b.metrics.delivered).toBe(a.metrics.delivered);
      expect(b.metrics.lost).toBe(0);
      expect(a.metrics.lost).toBe(0);
      expect(b.metrics.connected).toBe(CLIENTS);
      expect(b.metrics.connect_errors).toBe(0);
      expect(b.metrics.requests).toBe(a.metrics.requests);
      expect(b.metrics.requests_per_event).toBe(a.metrics.requests_per_event);
      expect(b.metrics.bytes_per_event).toBe(a.metrics.bytes_per_event);
    }
  }, 180_000);

  it('a client process killed mid-run: one line naming it, exit code 4, what was measured is kept, no process left', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-pkill-'));
    const run = startRun([...BASE.map((a) => (a === '2s' ? '30s' : a)), '--processes', '2', '--quiet', '--out', out]);
    const pid = run.child.pid!;
    await waitFor(() => clientProcessesOf(pid).length === 2, 15_000, 'two client processes');
    const [first, second] = clientProcessesOf(pid);
    await new Promise((r) => setTimeout(r, 3500)); // connected, and into the window
    process.kill(second, 'SIGKILL'); // a process this test started (through rtbench), by its PID
    expect(await run.exited).toBe(4);
    const { stderr } = run.output();
    expect(stderr).toMatch(new RegExp(`^rtbench: phase sse: client process 1 \\(pid ${second}\\) exited during the run \\(signal SIGKILL\\) \\(partial result kept in .*\\.json\\)\\n$`));
    const result = onlyResult(out);
    expect(result.status).toBe('partial');
    expect(result.interruption?.reason).toBe('failed');
    expect(result.phases.map((p) => [p.key, p.status])).toEqual([['sse', 'failed']]);
    // The surviving process's clients reported: their deliveries are kept.
    expect(result.phases[0].metrics.delivered).toBeGreaterThan(0);
    expect(existsSync(`/proc/${first}`)).toBe(false);
    expect(childrenRunning(pid, 'child-entry.js')).toEqual([]);
  }, 60_000);

  it('Ctrl-C: the children survive the signal, report, and end; partial result, exit code 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rtbench-pint-'));
    const run = startRun([...BASE.map((a) => (a === '2s' ? '30s' : a)), '--processes', '2', '--out', out]);
    const pid = run.child.pid!;
    await waitFor(() => clientProcessesOf(pid).length === 2, 15_000, 'two client processes');
    const children = clientProcessesOf(pid);
    await new Promise((r) => setTimeout(r, 3500));
    // As a terminal's Ctrl-C does: the signal reaches rtbench and its children.
    for (const p of [pid, ...children]) process.kill(p, 'SIGINT');
    expect(await run.exited).toBe(130);
    const { stderr } = run.output();
    expect(stderr).toMatch(/rtbench: interrupted; 0 of 2 phases complete, result marked partial \(partial result kept in .*\.json\)\n$/);
    const result = onlyResult(out);
    expect(result.status).toBe('partial');
    expect(result.interruption?.reason).toBe('interrupted');
    expect(result.phases.map((p) => [p.key, p.status])).toEqual([['sse', 'partial']]);
    // Both processes' clients reported (every subscriber is counted connected).
    expect(result.phases[0].metrics.connected).toBe(CLIENTS);
    expect(result.phases[0].metrics.delivered).toBeGreaterThan(0);
    for (const c of children) expect(existsSync(`/proc/${c}`), `client process ${c} still running`).toBe(false);
  }, 60_000);

  it('rtbench itself killed (SIGKILL): its client processes notice the closed channel and exit', async () => {
    const run = startRun([...BASE.map((a) => (a === '2s' ? '30s' : a)), '--processes', '2', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rtbench-pcli-'))]);
    const pid = run.child.pid!;
    await waitFor(() => clientProcessesOf(pid).length === 2, 15_000, 'two client processes');
    const children = clientProcessesOf(pid);
    run.child.kill('SIGKILL');
    await run.exited;
    await waitFor(() => children.every((c) => !existsSync(`/proc/${c}`)), 5000, 'the client processes to exit');
  }, 30_000);
});
