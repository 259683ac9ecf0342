import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BenchClient } from '../../src/clients/client-base.js';
import { ClientEnvironment } from '../../src/clients/client-environment.js';
import { createClient } from '../../src/clients/create-client.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import type { Transport } from '../../src/protocol/transports.js';
import type { RunResult } from '../../src/result/types.js';
import { runCli } from '../helpers/cli.js';
import { describeWithNchan, startNchan, type NchanServer } from '../helpers/nginx.js';
import { waitFor } from '../helpers/server.js';

/**
 * The built-in nchan profile against a real nginx + Nchan (Debian's nginx-light and
 * libnginx-mod-nchan; started by test/helpers/nginx.ts with a configuration of our own):
 * every transport Nchan offers, measured end to end through the CLI, and the bytes the
 * profile-driven clients count checked against what a raw socket receives.
 */
describeWithNchan('the nchan profile against nginx + Nchan', () => {
  let nchan: NchanServer;
  beforeAll(async () => {
    nchan = await startNchan(); // one worker: see startNchan on Nchan 1.3.6 with two
  });
  afterAll(async () => {
    await nchan?.stop();
  });

  it('runs every transport Nchan offers: exact delivery, load from the nginx process tree', async () => {
    const intervalMs = 250;
    const run = await runCli([
      'run', 'smoke', '--target', nchan.url, '--profile', 'nchan', '--server-pid', String(nchan.pid),
      '--clients', '12', '--topics', '2', '--rate', '20', '--arrival', 'fixed', '--duration', '3s', '--warmup', '500ms',
      '--transports', 'polling,long-polling,sse,ws', '--interval', `${intervalMs}ms`, '--json', '--quiet', '--out', '/tmp/rtbench-test-nchan.json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.target.profile).toEqual({ name: 'nchan', source: 'built-in profile nchan' });
    expect(result.phases.map((p) => p.key)).toEqual([`polling@${intervalMs}ms`, 'long-polling', 'sse', 'ws']);
    for (const p of result.phases) {
      const m = p.metrics;
      expect(p.status, p.key).toBe('complete');
      // 2 topics × 20 events/s × 3 s, every one owed to each of the 6 subscribers of its topic.
      expect(m['publisher.events'], p.key).toBe(120);
      expect(m.publish_accepted, p.key).toBe(120);
      expect(m.expected, p.key).toBe(120 * 6);
      expect(m.delivered, p.key).toBe(m.expected);
      expect(m.lost, p.key).toBe(0);
      expect(m.unexpected, p.key).toBe(0);
      expect(m.duplicated, p.key).toBe(0);
      expect(m.out_of_order, p.key).toBe(0);
      expect(m.protocol_errors, p.key).toBe(0);
      // Server load from /proc of the master and its workers (the master alone is idle).
      expect(p.serverLoadSource, p.key).toBe('proc');
      expect(m['server.cpu_percent'], p.key).toBeGreaterThan(0);
      // What only the reference server knows is unknown here, never zero.
      expect(m['server.loop_delay_p99'], p.key).toBeNull();
    }
    const [polling, longPolling, sse, ws] = result.phases;
    // Nchan's own count from its stats page (server-load.stats) at the window's end.
    for (const p of [sse, ws]) expect(p.serverStats?.subscribers, p.key).toBeGreaterThanOrEqual(12);
    // Interval polling: an event waits for the next poll, uniform on (0, T) — median T/2. A slot
    // is skipped while the previous poll (and its drain) is still out, so the max is not T.
    const T = intervalMs * 1000;
    expect(polling.metrics['latency.p50']!).toBeGreaterThan(0.25 * T);
    expect(polling.metrics['latency.p50']!).toBeLessThan(0.75 * T);
    expect(polling.metrics['latency.max']!).toBeLessThan(3 * T);
    // Push transports deliver well inside one polling interval.
    for (const p of [longPolling, sse, ws]) expect(p.metrics['latency.p50']!, p.key).toBeLessThan(intervalMs * 1000);
    // Nchan's long-poll answers one message per request: about one request per event.
    expect(longPolling.metrics.requests_per_event!).toBeGreaterThanOrEqual(0.9);
    expect(longPolling.metrics.requests_per_event!).toBeLessThan(1.5);
  }, 120_000);

  it('bytes counted by the SSE and WebSocket clients equal what a raw socket receives on the same topic', async () => {
    const profile = loadProfile('nchan');
    const { port } = new URL(nchan.url);
    for (const transport of ['sse', 'ws'] as Transport[]) {
      const topic = `bytes-${transport}`;
      const env = new ClientEnvironment(nchan.url, profile);
      const client: BenchClient = createClient({ transport }, env, 0, topic, () => 0);
      client.start();
      const raw = await rawSubscriber(Number(port), transport === 'sse' ? sseRequest(topic, port) : wsRequest(topic, port));
      await waitFor(() => client.everConnected && raw.received().length > 0, 5000, `${transport} subscribers`);
      const count = 20;
      for (let seq = 1; seq <= count; seq++) {
        const res = await fetch(`${nchan.url}/pub/${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"origin":"p0","seq":${seq},"ts":${1000 + seq},"data":"${'x'.repeat(seq * 7)}"}` });
        expect([201, 202]).toContain(res.status);
        await res.arrayBuffer();
      }
      await waitFor(() => env.metrics.received === count, 5000, `${transport} deliveries`);
      await waitFor(() => raw.received().includes(`"seq":${count},`), 5000, `raw ${transport} bytes`);
      await new Promise((r) => setTimeout(r, 100)); // the rest of the last frame
      expect(env.sockets.totals().bytesIn, transport).toBe(raw.received().length);
      client.stop();
      raw.socket.destroy();
    }
  }, 30_000);
});

/** The request node:http sends for the SSE client (a stream owns its connection: `Connection: close`). */
function sseRequest(topic: string, port: string): string {
  return `GET /sse/${topic} HTTP/1.1\r\nAccept: text/event-stream\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
}

/** The upgrade the ws package sends (same header values, so the 101 answer has the same length). */
function wsRequest(topic: string, port: string): string {
  return `GET /ws/${topic} HTTP/1.1\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
}

async function rawSubscriber(port: number, request: string): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(request);
  return { socket, received: () => received };
}
