import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PhaseResult, RunResult } from '../../src/result/types.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';
import { renderVerdict } from '../../src/report/verdict.js';
import { faultMarkSpecs, timeseriesCharts } from '../../src/report/html/timeseries-charts.js';
import { fileLabels, reportPhases } from '../../src/report/html/report-phases.js';
import { runCli } from '../helpers/cli.js';
import { expectEveryEventOnce } from '../helpers/results.js';

/**
 * The restart fault (DESIGN §7) end to end through --json: the reference server stopped and
 * started again on its port mid-window with its log kept (resuming clients lose nothing) or
 * lost (the loss is exactly the lost window), a --target server restarted by a command, and
 * the bad input around it. Bounds come from the run's own record, not from timing.
 */
describe('rtbench run with a server restart', () => {
  const out = join(tmpdir(), 'rtbench-restart.json');
  const run = async (extra: string[]): Promise<RunResult> => {
    const cli = await runCli(['run', 'smoke', '--clients', '20', '--duration', '5s', '--warmup', '500ms', '--reconnect-delay', '100ms', '--json', '--quiet', '--out', out, ...extra]);
    expect(cli.code, cli.stderr).toBe(0);
    return JSON.parse(cli.stdout) as RunResult;
  };
  const restartMark = (p: PhaseResult) => {
    const marks = (p.faults ?? []).filter((f) => f.kind === 'restart');
    expect(marks, p.key).toHaveLength(1);
    return marks[0];
  };

  it('over TLS: the next server presents the same generated certificate, so TLS clients resume and lose nothing', async () => {
    const result = await run(['--transports', 'sse,ws', '--set', 'transports.sse.tls=true', '--set', 'transports.ws.tls=true', '--fault', '{restart: {at: 2s, log: keep}}']);
    expect(result.phases.map((p) => p.key)).toEqual(['sse+tls', 'ws+tls']);
    for (const p of result.phases) {
      expect(p.status, p.key).toBe('complete');
      expect(p.metrics.cuts, p.key).toBe(20);
      expect(p.metrics.lost, p.key).toBe(0);
      expect(p.metrics.delivered, p.key).toBe(p.metrics.expected);
    }
  }, 60_000);

  it('log kept: every transport resumes through the restart, nothing lost; refused publishes are not expected', async () => {
    const result = await run(['--fault', '{restart: {at: 2s, log: keep}}']);
    for (const p of result.phases) {
      const m = p.metrics;
      expectEveryEventOnce(p);
      // One topic, every client subscribed before the window: each owes every publish the
      // servers accepted — and none of those refused while the server was away.
      expect(m.expected, p.key).toBe(20 * m.publish_accepted!);
      expect(m.lost_in_restarts, p.key).toBeNull();
      // Every client's connection ended with the old server.
      expect(m.cuts, p.key).toBe(20);
      // On the timeline: 2 s into the window, lasting until the new server answered.
      const mark = restartMark(p);
      expect(mark.label).toBe('restart, log kept');
      expect(mark.atS, p.key).toBeGreaterThanOrEqual(p.timeseries.windowStartS + 2 - 0.01);
      expect(mark.untilS!, p.key).toBeGreaterThan(mark.atS);
      // Recovery is timed from the stop request to the first event after the old server was
      // gone, which only the new one can send: never shorter than most of the outage.
      expect(m['recovery.p50']!, p.key).toBeGreaterThan((mark.untilS! - mark.atS) * 1e6 * 0.5);
      expect(m['latency.p99_during_faults'], p.key).not.toBeNull();
      expect(m['latency.p99_outside_faults'], p.key).not.toBeNull();
    }
    // The HTML timeline: the four phases' restarts are one grey span from the earliest stop to the latest return.
    const phases = reportPhases([result], fileLabels(1));
    const marks = faultMarkSpecs(phases);
    expect(marks).toHaveLength(1);
    const spans = result.phases.map((p) => p.faults![0]);
    expect(marks[0]).toMatchObject({ label: 'restart, log kept', color: '#59636e' });
    expect(marks[0].at).toBeCloseTo(Math.min(...spans.map((f) => f.atS)), 2);
    expect(marks[0].until!).toBeCloseTo(Math.max(...spans.map((f) => f.untilS!)), 2);
    for (const chart of timeseriesCharts(phases)) if (chart.kind === 'line') expect(chart.marks, chart.title).toEqual(marks);
  }, 180_000);

  it('log lost: the loss is exactly the lost window, and the server marks a gap for every client that lost', async () => {
    const result = await run(['--fault', '{restart: {at: 2s, log: lose}}', '--no-thresholds']);
    let lostOverall = 0;
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      expect(restartMark(p).label).toBe('restart, log lost');
      // Everything lost was in the old server's log and had not reached the client when it
      // stopped; everything the new server accepted arrived.
      expect(m.lost, p.key).toBe(m.lost_in_restarts);
      expect(m.delivered! + m.lost!, p.key).toBe(m.expected);
      expect(m.duplicated, p.key).toBe(0);
      // The server's own word: a resume from a cursor its log no longer holds is a gap — at
      // least one per transport that lost, none where nothing was lost.
      expect(m.gaps! > 0, p.key).toBe(m.lost! > 0);
      // At most what the old server accepted after each client's last event: never more than every client × the events before the restart.
      expect(m.lost!, p.key).toBeLessThanOrEqual(20 * m.publish_accepted!);
      lostOverall += m.lost!;
    }
    expect(lostOverall).toBeGreaterThan(0);
    // The verdict names who recovered fastest and who lost least, in the run's own figures.
    const byRecovery = [...result.phases].sort((a, b) => a.metrics['recovery.p50']! - b.metrics['recovery.p50']!);
    const byLoss = [...result.phases].sort((a, b) => a.metrics.lost! - b.metrics.lost!);
    const verdict = renderVerdict(result);
    expect(verdict).toContain(`Through the faults, ${byRecovery[0].key} recovered fastest`);
    expect(verdict).toContain(`lost least (${byLoss[0].metrics.lost}; most: ${byLoss.at(-1)!.key}, ${byLoss.at(-1)!.metrics.lost}`);
  }, 180_000);

  it('a stall: the paused server delays what it holds, by up to the stall, and loses nothing', async () => {
    const result = await run(['--transports', 'sse,ws', '--fault', '{stall: {at: 1s, for: 1s}}']);
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      expect(m.lost, p.key).toBe(0);
      const marks = p.faults ?? [];
      expect(marks.map((f) => f.kind), p.key).toEqual(['stall']);
      expect(marks[0].untilS! - marks[0].atS, p.key).toBeCloseTo(1, 1);
      // An event published as the server froze (20/s: within 50 ms of it) waits the whole second.
      expect(m['latency.max']!, p.key).toBeGreaterThanOrEqual(900_000);
      // The seconds the stall touched hold those waits; the others none of them.
      expect(m['latency.p99_during_faults']!, p.key).toBeGreaterThan(m['latency.p99_outside_faults']!);
      expect(m['latency.p99_during_faults']!, p.key).toBeGreaterThanOrEqual(500_000);
    }
  }, 120_000);

  describe('with --target, a command restarts your server', () => {
    let reference: ReferenceServer | undefined;
    let control: Server | undefined;
    let restarts = 0;
    afterAll(async () => {
      await reference?.close();
      await new Promise((resolve) => control?.close(resolve));
    });

    it('runs the command mid-window and resumes through it', async () => {
      reference = await startReferenceServer({ port: 0, host: '127.0.0.1' });
      const port = reference.port;
      // The "deploy tool": a loopback endpoint that restarts the server on its port, keeping its log.
      control = createServer((_req, res) => {
        void (async () => {
          const dir = await mkdtemp(join(tmpdir(), 'rtbench-restart-test-'));
          try {
            await reference!.close();
            reference!.handOver('keep', join(dir, 'logs.jsonl'));
            reference = await startReferenceServer({ port, host: '127.0.0.1' }, { handoverFile: join(dir, 'logs.jsonl') });
            restarts++;
            res.end('restarted\n');
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        })();
      });
      await new Promise<void>((resolve) => control!.listen(0, '127.0.0.1', resolve));
      const controlPort = (control.address() as { port: number }).port;
      const command = `${JSON.stringify(process.execPath)} -e "fetch('http://127.0.0.1:${controlPort}/').then((r) => r.text()).then(process.stdout.write.bind(process.stdout))"`;
      const fault = `{restart: {at: 1s, command: ${JSON.stringify(command)}}}`;
      const cli = await runCli(['run', '--target', reference.url, '--transports', 'sse,ws', '--clients', '10', '--duration', '3s', '--warmup', '500ms', '--reconnect-delay', '100ms', '--fault', fault, '--json', '--quiet', '--out', out]);
      expect(cli.code, cli.stderr).toBe(0);
      const result = JSON.parse(cli.stdout) as RunResult;
      // One restart per phase, each really done by the command.
      expect(restarts).toBe(2);
      for (const p of result.phases) {
        expect(p.status, p.key).toBe('complete');
        expect(restartMark(p).label).toBe('restart');
        expect(p.metrics.lost, p.key).toBe(0);
        expect(p.metrics.cuts, p.key).toBe(10);
      }
    }, 120_000);

    it('a command that fails fails the phase: one line naming the command, exit 4', async () => {
      const cli = await runCli(['run', '--target', reference!.url, '--transports', 'ws', '--clients', '5', '--duration', '2s', '--warmup', '200ms', '--fault', '{restart: {at: 500ms, command: "echo no such service >&2; exit 3"}}', '--quiet', '--out', out]);
      expect(cli.code, cli.stderr).toBe(4);
      expect(cli.stderr).toContain('the restart command "echo no such service >&2; exit 3" failed (exit 3): no such service');
    }, 60_000);
  });

  it('bad input: one line each, exit 2, before anything runs', async () => {
    const cases: [string[], RegExp][] = [
      [['--fault', '{restart: {at: 9s}}'], /^rtbench: --fault: 9s is not inside the 5s measurement window/],
      [['--fault', '{restart: {at: 1s}}', '--target', 'http://127.0.0.1:1'], /^rtbench: --fault: with --target, a restart needs the command that restarts your server/],
      [['--fault', '{restart: {at: 1s, command: "systemctl restart x"}}'], /^rtbench: --fault: a command restarts your own server \(--target\); rtbench restarts the reference server itself/],
      [['--fault', '{restart: {at: 1s, log: drop}}'], /^rtbench: --fault: faults\.0\.restart\.log: expected one of keep, lose; found "drop"/],
      [['--fault', '{stall: {at: 1s, for: 2s}}', '--fault', '{restart: {at: 2s}}'], /^rtbench: --fault: a restart cannot begin while the server is stalled \(a paused server cannot stop\); move it outside the stall$/m],
      [['--fault', '{stall: {at: 4s, for: 2s}}'], /^rtbench: --fault: a stall at 4s for 2s outlasts the 5s measurement window/],
      [['--fault', '{slow: {share: 150%, rate: 1KiB}}'], /^rtbench: --fault: a share is a fraction above 0 and at most 1, or a percentage up to 100%; found "150%"/],
      [['--fault', '{shape: {latency: 20s}}'], /^rtbench: --fault: faults\.0\.shape\.latency: expected a duration of at most 10s; found "20s"/],
      [['--fault', '{shape: {latency: 10ms, jitter: 20ms}}'], /^rtbench: --fault: jitter \(20ms\) cannot exceed the latency \(10ms\)/],
      [['--fault', '{shape: {bandwidth: 1kbit}}'], /^rtbench: --fault: a bandwidth of at least 8kbit; found 1kbit/],
    ];
    for (const [args, message] of cases) {
      const cli = await runCli(['run', 'smoke', '--duration', '5s', '--quiet', ...args]);
      expect(cli.code, args.join(' ')).toBe(2);
      expect(cli.stderr, args.join(' ')).toMatch(message);
      expect(cli.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  }, 90_000);
});
