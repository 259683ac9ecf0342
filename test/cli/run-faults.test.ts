import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';

/**
 * Faults (DESIGN §7) end to end through --json: connections cut with RST every second on
 * every transport, a reconnect storm, naive clients that do not resume, and bad fault input.
 */
describe('rtbench run with faults', () => {
  const run = async (extra: string[]): Promise<RunResult> => {
    const cli = await runCli(['run', 'smoke', '--clients', '20', '--duration', '5s', '--warmup', '500ms', '--reconnect-delay', '100ms', '--json', '--quiet', '--out', join(tmpdir(), 'rtbench-faults.json'), ...extra]);
    expect(cli.code, cli.stderr).toBe(0);
    return JSON.parse(cli.stdout) as RunResult;
  };
  const byTransport = (result: RunResult): Record<string, PhaseResult> => Object.fromEntries(result.phases.map((p) => [p.transport, p]));

  it('an RST cut every second: every transport reconnects and resumes, nothing lost or duplicated', async () => {
    const result = await run(['--fault', '{cut: {every: 1s, mode: rst}}']);
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      // Cuts at 1, 2, 3 and 4 s into the 5 s window, every client each time (one may be between sockets).
      expect(m.cuts!, p.key).toBeGreaterThanOrEqual(70);
      expect(m.cuts!, p.key).toBeLessThanOrEqual(80);
      expect(m.lost, p.key).toBe(0);
      expect(m.duplicated, p.key).toBe(0);
      expect(m.delivered, p.key).toBe(m.expected);
      // Recovery: the 100 ms reconnect delay, then the next event (20/s: 50 ms apart) — polling adds up to its interval.
      expect(m['recovery.p50']!, p.key).toBeGreaterThanOrEqual(50_000);
      expect(m['recovery.p50']!, p.key).toBeLessThan(p.transport === 'polling' ? 1_000_000 : 500_000);
      expect(p.histograms.recovery, p.key).toBeTypeOf('string');
    }
    // Push transports paid one reconnect request per cut.
    const t = byTransport(result);
    expect(t.sse.metrics.requests).toBe(t.sse.metrics.cuts);
    expect(t.ws.metrics.requests).toBe(t.ws.metrics.cuts);
  }, 120_000);

  it('naive clients (--no-resume) lose what was published while they were away; resuming ones do not', async () => {
    const t = byTransport(await run(['--transports', 'sse,ws', '--fault', '{cut: {every: 1s, mode: rst}}', '--no-resume', '--no-thresholds']));
    for (const p of [t.sse, t.ws]) {
      expect(p.metrics.lost!, p.key).toBeGreaterThan(0);
      expect(p.metrics.lost!, p.key).toBeLessThan(p.metrics.expected!);
    }
  }, 120_000);

  it('a reconnect storm: every client cut at the same instant comes back without loss', async () => {
    const t = byTransport(await run(['--transports', 'long-polling,sse,ws', '--fault', '{storm: {at: 2s, mode: fin}}']));
    for (const p of [t['long-polling'], t.sse, t.ws]) {
      expect(p.metrics.cuts, p.key).toBe(20);
      expect(p.metrics.lost, p.key).toBe(0);
      expect(p.metrics['recovery.max']!, p.key).toBeLessThan(2_000_000);
      // Server memory through the storm: sampled in the seconds it touched, within the phase's own range.
      expect(p.metrics['server.rss_peak_during_faults']!, p.key).toBeGreaterThan(0);
      expect(p.metrics['server.rss_peak_during_faults']!, p.key).toBeLessThanOrEqual(p.metrics['server.rss_peak']!);
      expect(p.faults?.map((f) => f.kind), p.key).toEqual(['storm']);
    }
  }, 120_000);

  it('bad fault input: one line each, exit 2, before anything runs', async () => {
    const cases: [string[], RegExp][] = [
      [['--fault', '{cut: {at: 9s}}'], /^rtbench: --fault: 9s is not inside the 5s measurement window/],
      [['--fault', '{cut: {every: 1s, share: 150%}}'], /^rtbench: --fault: a share is a fraction above 0 and at most 1, or a percentage up to 100%; found "150%"/],
      [['--fault', '{cut: {every: 1s, at: 2s}}'], /a cut needs exactly one of at \(once\) or every \(repeatedly\)/],
      [['--fault', '{stall: {at: 1s, for: 2s}}', '--target', 'http://127.0.0.1:1'], /stall pauses the reference server \(SIGSTOP\); with --target, pause your own server yourself/],
      [['--fault', '{cut: {every: 1s, mode: drop}}'], /^rtbench: --fault: faults\.0\.cut\.mode: expected one of fin, rst; found "drop"/],
    ];
    for (const [args, message] of cases) {
      const cli = await runCli(['run', 'smoke', '--duration', '5s', '--quiet', ...args]);
      expect(cli.code, args.join(' ')).toBe(2);
      expect(cli.stderr, args.join(' ')).toMatch(message);
      expect(cli.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  }, 60_000);

  it('a shaped link: a known one-way delay comes back as that delay, the round trip in the connect time', async () => {
    const t = byTransport(await run(['--transports', 'polling,sse,ws', '--duration', '2s', '--fault', '{shape: {latency: 40ms}}']));
    for (const p of [t.sse, t.ws]) {
      // Server → client: every event waits the link's 40 ms (the timer may release a chunk up to 0.5 ms early).
      expect(p.metrics['latency.min']!, p.key).toBeGreaterThanOrEqual(39_500);
      expect(p.metrics['latency.p50']!, p.key).toBeLessThan(40_000 + 60_000);
      // Connecting takes the request there and the answer back: two crossings.
      expect(p.metrics['connect.p50']!, p.key).toBeGreaterThanOrEqual(79_000);
      expect(p.metrics.lost, p.key).toBe(0);
    }
    expect(t.polling.metrics.lost).toBe(0);
  }, 120_000);

  it('slow consumers: half the clients read at 2 KiB/s and fall behind; the others do not', async () => {
    const fast = byTransport(await run(['--transports', 'sse,ws', '--duration', '2s', '--payload', '512', '--no-thresholds']));
    const slow = byTransport(await run(['--transports', 'sse,ws', '--duration', '2s', '--payload', '512', '--no-thresholds', '--fault', '{slow: {share: 50%, rate: 2KiB}}']));
    for (const key of ['sse', 'ws']) {
      // 20 events/s of ~590 B on the wire is ~11.8 KB/s against 2 KiB/s read: the slow half lags by seconds.
      expect(slow[key].metrics['latency.max']!, key).toBeGreaterThan(1_000_000);
      expect(fast[key].metrics['latency.max']!, key).toBeLessThan(500_000);
      // The other half is unaffected: the median stays where the fast run's is.
      expect(slow[key].metrics['latency.p50']!, key).toBeLessThan(200_000);
    }
  }, 120_000);
});
