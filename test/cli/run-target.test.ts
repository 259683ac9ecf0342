import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { runCli, startCli } from '../helpers/cli.js';

/** `run --target`: benchmarking a server rtbench did not start (here: `rtbench server` in another process). */
describe('rtbench run --target <your server>', () => {
  let server: Awaited<ReturnType<typeof startCli>>;
  let url: string;
  let pid: number;
  beforeAll(async () => {
    server = await startCli(['server', '--json'], /\{"url":"([^"]+)","port":\d+,"pid":(\d+)\}/);
    url = server.match[1];
    pid = Number(server.match[2]);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  async function runAgainst(target: string, extra: string[] = []): Promise<RunResult> {
    const result = await runCli(['run', '--target', target, '--clients', '10', '--duration', '1s', '--warmup', '200ms', '--json', '--quiet', '--out', '/tmp/rtbench-target-tests', ...extra]);
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as RunResult;
  }

  it('measures every transport against it, with server load from its /metrics', async () => {
    const result = await runAgainst(url, ['--transports', 'long-polling,sse,ws']);
    expect(result.target).toEqual({ kind: 'external', url, profile: { name: 'rtbench', source: 'built-in profile rtbench' } });
    for (const p of result.phases) {
      expect(p.metrics.lost, p.key).toBe(0);
      expect(p.metrics.delivered, p.key).toBeGreaterThan(0);
      expect(p.serverLoadSource, p.key).toBe('metrics');
      expect(p.metrics['server.cpu_percent'], p.key).toBeGreaterThan(0);
    }
  }, 60_000);

  it('topics are unique per phase, so phases on one long-lived server do not mix', async () => {
    const before = (await (await fetch(`${url}/metrics`)).json()) as { log: { topics: number } };
    await runAgainst(url, ['--transports', 'sse,ws']);
    const after = (await (await fetch(`${url}/metrics`)).json()) as { log: { topics: number } };
    expect(after.log.topics - before.log.topics).toBe(2);
  }, 60_000);

  it('with --server-pid, server load comes from /proc/<pid>', async () => {
    const result = await runAgainst(url, ['--transports', 'ws', '--server-pid', String(pid)]);
    const p = result.phases[0];
    expect(result.target.serverPid).toBe(pid);
    expect(p.serverLoadSource).toBe('proc');
    expect(p.metrics['server.cpu_percent']).toBeGreaterThan(0);
    expect(p.metrics['server.rss_peak']).toBeGreaterThan(10 * 1024 * 1024);
    expect(p.metrics['server.loop_delay_p99']).toBeNull(); // /proc cannot see an event loop
  }, 60_000);

  it('an unknown --server-pid is refused before anything runs', async () => {
    const result = await runCli(['run', '--target', url, '--server-pid', '999999999', '--transports', 'ws']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('rtbench: --server-pid 999999999: no such process\n');
  });

  describe('a server without /metrics and no --server-pid', () => {
    let proxy: Server;
    let proxyUrl: string;
    beforeAll(async () => {
      // Forwards everything but /metrics to the real server: a protocol server that has no load endpoint.
      proxy = createServer((req, res) => {
        if (req.url?.startsWith('/metrics')) return void res.writeHead(404).end();
        const upstream = request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('still measures delivery, and reports server load as unknown, saying so', async () => {
      const result = await runAgainst(proxyUrl, ['--transports', 'polling', '--interval', '200ms']);
      const p = result.phases[0];
      expect(p.metrics.lost).toBe(0);
      expect(p.serverLoadSource).toBe('none');
      expect(p.metrics['server.cpu_percent']).toBeNull();
      expect(p.metrics['server.memory_per_connection']).toBeNull();
      expect(p.warnings).toContain('Server load is unknown: the target has no /metrics and no --server-pid was given.');
    }, 60_000);
  });
});
