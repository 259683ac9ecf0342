import { afterEach, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import type { ServerMetrics } from '../../src/protocol/server-metrics.js';
import { rawConnection, startServer, waitFor } from '../helpers/server.js';

let server: ReferenceServer;
afterEach(async () => {
  await server?.close();
});

function request(method: string, path: string, body = '', headers = ''): string {
  const extra = body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '';
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}${headers}\r\n${body}`;
}

describe('/metrics counts what clients did', () => {
  it('requests per route, events, deliveries, open connections and exact socket bytes', async () => {
    server = await startServer();
    const sse = await rawConnection(server.url);
    sse.socket.write(request('GET', '/sse?topic=m'));
    const poller = await rawConnection(server.url);
    const publisher = await rawConnection(server.url);
    await waitFor(() => server.metrics().connections.sse === 1, 5000, 'the SSE stream');

    for (let seq = 1; seq <= 3; seq++) {
      publisher.socket.write(request('POST', '/publish?topic=m', `{"origin":"p0","seq":${seq},"ts":1,"data":"abc"}`));
      await waitFor(() => (publisher.received().toString().match(/HTTP\/1\.1 200/g) ?? []).length === seq, 5000, 'publish answer');
    }
    poller.socket.write(request('GET', '/poll?topic=m&since=0'));
    poller.socket.write(request('GET', '/poll?topic=m&since=2'));
    poller.socket.write(request('GET', '/long-poll?topic=m&since=3&timeout=0'));
    poller.socket.write(request('GET', '/nope'));
    await waitFor(() => (poller.received().toString().match(/HTTP\/1\.1 /g) ?? []).length === 4, 5000, 'four answers');
    await waitFor(() => sse.received().includes('id: 3\n'), 5000, 'SSE deliveries');

    const m = server.metrics();
    expect(m.requests).toMatchObject({ publish: 3, poll: 2, longPoll: 1, sse: 1, ws: 0, other: 1, total: 8 });
    expect(m.rejected).toEqual({ '404': 1 });
    expect(m.events.published).toBe(3);
    expect(m.events.delivered).toEqual({ poll: 4, longPoll: 0, sse: 3, ws: 0, total: 7 });
    expect(m.connections).toMatchObject({ open: 3, accepted: 3, sse: 1, ws: 0, longPollWaiting: 0 });
    const written = [sse, poller, publisher].reduce((n, c) => n + c.socket.bytesWritten, 0);
    const read = [sse, poller, publisher].reduce((n, c) => n + c.received().length, 0);
    expect(m.bytes).toEqual({ in: written, out: read });
    expect(m.cpu.userUs).toBeGreaterThan(0);
    expect(m.memory.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(m.log).toEqual({ topics: 1, ringCapacity: 10_000, evictions: 0 });

    for (const c of [sse, poller, publisher]) c.socket.destroy();
    await waitFor(() => server.metrics().connections.open === 0, 5000, 'sockets to close');
    expect(server.metrics().connections.sse).toBe(0);
    // Closed sockets' bytes stay counted.
    expect(server.metrics().bytes).toEqual({ in: written, out: read });
  });

  it('serves JSON by default and Prometheus text for Accept: text/plain', async () => {
    server = await startServer();
    await fetch(`${server.url}/publish?topic=p`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seq":1}' });
    const json = (await (await fetch(`${server.url}/metrics`)).json()) as ServerMetrics;
    expect(json.protocol).toBe('rtbench/1');
    expect(json.events.published).toBe(1);
    expect(json.requests.metrics).toBe(1);

    const res = await fetch(`${server.url}/metrics`, { headers: { accept: 'text/plain' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE rtbench_server_requests_total counter');
    expect(text).toContain('rtbench_server_requests_total{route="publish"} 1');
    expect(text).toContain('rtbench_server_requests_total{route="metrics"} 2');
    expect(text).toContain('rtbench_server_events_published_total 1');
    expect(text).toMatch(/rtbench_server_resident_memory_bytes \d{7,}/);
    expect(text).toMatch(/rtbench_server_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+/);
  });

  it('reports event-loop delay over the last second', async () => {
    server = await startServer();
    // Block this process's loop (the server runs in it) for 120 ms, then let a second roll over.
    // (The monitor needs one tick of its own first: it measures between its timer's firings.)
    await new Promise((r) => setTimeout(r, 100));
    const until = Date.now() + 120;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 1100));
    const delay = server.metrics().eventLoop.delaySinceStart;
    expect(delay.maxUs).toBeGreaterThanOrEqual(90_000);
    expect(delay.maxUs).toBeLessThan(2_000_000);
  });
});
