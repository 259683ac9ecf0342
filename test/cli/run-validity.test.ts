import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli, startCli } from '../helpers/cli.js';

const RTBENCH_PROFILE = readFileSync(fileURLToPath(new URL('../../profiles/rtbench.yaml', import.meta.url)), 'utf8');

/**
 * No vacuous verdicts (DESIGN §4): a phase where the server accepted no publish, where no
 * message held rtbench's event, or whose target died, fails with exit 4 and a reason —
 * it never passes "lost == 0" on nothing. Losses are counted per stream, so a refused
 * publish that was delivered anyway is "unexpected", not a credit against real losses.
 */
describe('phases that measured nothing fail, with a reason', () => {
  let server: Awaited<ReturnType<typeof startCli>>;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-validity-'));
  beforeAll(async () => {
    server = await startCli(['server', '--json'], /\{"url":"([^"]+)","port":\d+,"pid":(\d+)\}/);
    url = server.match[1];
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const profile = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const args = (target: string, extra: string[]): string[] => [
    'run', 'smoke', '--target', target, '--clients', '5', '--duration', '1s', '--warmup', '200ms', '--transports', 'sse', '--quiet', '--out', join(dir, 'result.json'), ...extra,
  ];

  it('a server that accepts no publish (statuses the profile does not list): exit 4, "lost == 0" not passed', async () => {
    const file = profile('wrong-status.yaml', RTBENCH_PROFILE.replace('accepted: [200]', 'accepted: [201, 202]'));
    const run = await runCli(args(url, ['--profile', file]));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^rtbench: phase sse: the server accepted none of (\d+) publishes \(HTTP 200 ×\1\); profile .*wrong-status\.yaml expects publish status 201, 202 — check its publish section \(partial result kept in .*\)\n$/);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(result.status).toBe('partial');
    expect(result.phases[0].status).toBe('failed');
    expect(result.phases[0].errorCode).toBe('RTB_ERR_PHASE_INVALID');
    // The smoke scenario's "*.lost == 0" and friends: none passes over a failed phase.
    expect(result.thresholds!.length).toBeGreaterThan(0);
    for (const t of result.thresholds!) expect(t, t.expression).toMatchObject({ ok: false, message: expect.stringMatching(/^sse: phase failed \(the server accepted none/) });
  }, 60_000);

  it('messages that never hold the marker: exit 4 naming the profile and its marker', async () => {
    const file = profile('marker.yaml', RTBENCH_PROFILE.replace('marker: verbatim', 'marker: { path: payload }'));
    const run = await runCli(args(url, ['--profile', file]));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/phase sse: \d+ messages arrived but none held rtbench's event: profile .*marker\.yaml marker: \{path: payload\} never matched/);
  }, 60_000);

  it('a ready URL that never answers 2xx: exit 4 before anything runs', async () => {
    const notReady = createServer((_req, res) => res.writeHead(503).end('starting'));
    await new Promise<void>((r) => notReady.listen(0, '127.0.0.1', r));
    try {
      const port = (notReady.address() as { port: number }).port;
      const file = profile('ready.yaml', RTBENCH_PROFILE.replace('name: rtbench', 'name: my-server'));
      const run = await runCli(args(`http://127.0.0.1:${port}`, ['--profile', file]));
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(`rtbench: the target http://127.0.0.1:${port} is not ready: profile ${file} says ready: /healthz must answer 2xx, but GET /healthz answered 503 for 5 s\n`);
    } finally {
      notReady.close();
    }
  }, 60_000);

  it('a refused publish that the server delivered anyway is unexpected, not delivered', async () => {
    // A proxy that answers one publish 500 although the server took it.
    let publishes = 0;
    const proxy = createServer((req, res) => {
      const upstream = request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const refuse = req.url!.startsWith('/publish') && ++publishes === 30;
        res.writeHead(refuse ? 500 : (answer.statusCode ?? 502), answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await listen(proxy);
    try {
      const run = await runCli(args(`http://127.0.0.1:${(proxy.address() as { port: number }).port}`, ['--rate', '60', '--duration', '2s', '--json']));
      expect(run.code, run.stderr).toBe(0);
      const m = (JSON.parse(run.stdout) as RunResult).phases[0].metrics;
      expect(m.publish_errors).toBe(1);
      expect(m['publisher.events']).toBe(120);
      expect(m.publish_accepted).toBe(119);
      expect(m.unexpected).toBe(5); // every subscriber got it
      expect(m.expected).toBe(119 * 5);
      expect(m.delivered).toBe(119 * 5);
      expect(m.delivered_ratio).toBe(1);
      expect(m.lost).toBe(0);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it('a target that dies mid-run: exit 4 within seconds, what was measured kept', async () => {
    const victim = await startCli(['server', '--json'], /\{"url":"([^"]+)","port":\d+,"pid":(\d+)\}/);
    const started = Date.now();
    const pending = runCli(args(victim.match[1], ['--duration', '30s', '--transports', 'sse,ws']));
    setTimeout(() => victim.child.kill('SIGKILL'), 4000);
    const run = await pending;
    await victim.exited;
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^rtbench: phase sse: the target http:\/\/127\.0\.0\.1:\d+ stopped answering \(connection refused, 3 checks in a row\) \(partial result kept in /);
    expect(Date.now() - started).toBeLessThan(20_000);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(result.phases[0].status).toBe('failed');
    expect(result.phases[0].errorCode).toBe('RTB_ERR_SERVER_DIED');
  }, 60_000);
});

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}
