import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { publishMany, rawConnection, startServer, waitFor } from '../helpers/server.js';

let server: ReferenceServer;
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => {
  crashes.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  server = await startServer({ maxBodyBytes: 1024, ringCapacity: 100 });
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  await server.close();
});

async function expectRejected(path: string, status: number, param: string | undefined, init?: RequestInit): Promise<void> {
  const res = await fetch(`${server.url}${path}`, init);
  expect(res.status, path).toBe(status);
  const body = (await res.json()) as { error: string; param?: string; message: string };
  expect(body.param, path).toBe(param);
  expect(body.message.length).toBeGreaterThan(5);
}

const json = { 'content-type': 'application/json' };

describe('bad input gets a 4xx naming the problem', () => {
  it('unknown route → 404, wrong method → 405', async () => {
    await expectRejected('/nope', 404, undefined);
    await expectRejected('/poll?topic=t', 405, undefined, { method: 'DELETE' });
    await expectRejected('/publish?topic=t', 405, undefined, { method: 'GET' });
  });

  it.each([
    ['/poll?since=0', 'topic'],
    ['/poll?topic=has%20space', 'topic'],
    ['/poll?topic=' + 'x'.repeat(65), 'topic'],
    ['/poll?topic=t&since=abc', 'since'],
    ['/poll?topic=t&since=-1', 'since'],
    ['/poll?topic=t&since=1.5', 'since'],
    ['/poll?topic=t&since=0&limit=0', 'limit'],
    ['/poll?topic=t&since=0&limit=99999999', 'limit'],
    ['/long-poll?topic=t&timeout=soon', 'timeout'],
    ['/long-poll?topic=t&timeout=999999999', 'timeout'],
    ['/long-poll?topic=/etc', 'topic'],
    ['/sse?topic=t&since=x', 'since'],
    ['/sse', 'topic'],
  ])('%s → 400 naming %s', async (path, param) => {
    await expectRejected(path, 400, param);
  });

  it('a malformed Last-Event-ID → 400 naming it', async () => {
    await expectRejected('/sse?topic=t', 400, 'Last-Event-ID', { headers: { 'last-event-id': 'nope' } });
  });

  it('publish: bad topic, wrong content type, non-JSON, non-object, reserved keys, oversized', async () => {
    await expectRejected('/publish?topic=a%2Fb', 400, 'topic', { method: 'POST', headers: json, body: '{}' });
    await expectRejected('/publish?topic=t', 415, undefined, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    await expectRejected('/publish?topic=t', 415, undefined, { method: 'POST', body: '{}' });
    await expectRejected('/publish?topic=t', 400, undefined, { method: 'POST', headers: json, body: '{"seq":' });
    await expectRejected('/publish?topic=t', 400, undefined, { method: 'POST', headers: json, body: '[1,2]' });
    await expectRejected('/publish?topic=t', 400, undefined, { method: 'POST', headers: json, body: '"text"' });
    await expectRejected('/publish?topic=t', 400, undefined, { method: 'POST', headers: json, body: '{"id":5}' });
    await expectRejected('/publish?topic=t', 413, undefined, { method: 'POST', headers: json, body: `{"data":"${'x'.repeat(2000)}"}` });
  });

  it('an oversized body streamed without Content-Length → 413', async () => {
    const conn = await rawConnection(server.url);
    conn.socket.write('POST /publish?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 4; i++) conn.socket.write(`200\r\n${'x'.repeat(512)}\r\n`);
    await waitFor(() => conn.received().includes('HTTP/1.1 413'), 5000, 'a 413');
    conn.socket.destroy();
  });

  it('WebSocket upgrade with a bad topic or path is refused with JSON naming the problem', async () => {
    for (const [path, status, param] of [
      ['/ws?topic=', 400, 'topic'],
      ['/ws?topic=t&since=no', 400, 'since'],
      ['/elsewhere?topic=t', 404, undefined],
    ] as const) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`);
      const answer = await new Promise<{ status: number; body: string }>((resolve) => {
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => {});
      });
      expect(answer.status, path).toBe(status);
      expect((JSON.parse(answer.body) as { param?: string }).param, path).toBe(param);
    }
  });
});

describe('abuse is counted, never a crash', () => {
  it('malformed HTTP gets 400 and a counter', async () => {
    const before = server.metrics().clientErrors;
    const conn = await rawConnection(server.url);
    conn.socket.write('THIS IS NOT HTTP\r\n\r\n');
    await conn.closed;
    expect(conn.received().toString()).toMatch(/^HTTP\/1\.1 400/);
    expect(server.metrics().clientErrors).toBe(before + 1);
  });

  it('half-open requests and abrupt disconnects mid-stream', async () => {
    // Half a request line, then gone.
    const half = await rawConnection(server.url);
    half.socket.write('GET /poll?topic=t&si');
    half.socket.destroy();
    // Headers sent, body promised, then gone.
    const partial = await rawConnection(server.url);
    partial.socket.write('POST /publish?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"seq":');
    await new Promise((r) => setTimeout(r, 50));
    partial.socket.destroy();
    // Streams killed while events flow to them.
    const sse = await rawConnection(server.url);
    sse.socket.write('GET /sse?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=t`);
    await new Promise((resolve) => ws.once('open', resolve));
    await waitFor(() => server.metrics().connections.sse === 1 && server.metrics().connections.ws === 1, 5000, 'both streams');
    const flood = publishMany(server.url, 't', 50);
    sse.socket.destroy();
    ws.terminate();
    await flood;
    await waitFor(() => server.metrics().connections.sse === 0 && server.metrics().connections.ws === 0, 5000, 'streams released');
  });

  it('WebSocket frames that cannot be published are counted and ignored', async () => {
    const before = server.metrics().badFrames;
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topic=frames`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send('not json');
    ws.send('{"topic":"elsewhere"}');
    ws.send('{"seq":1}'); // this one is fine
    await waitFor(() => server.metrics().badFrames === before + 3, 5000, 'three bad frames');
    const polled = (await (await fetch(`${server.url}/poll?topic=frames&since=0`)).json()) as { events: unknown[] };
    expect(polled.events).toEqual([{ id: 1, topic: 'frames', seq: 1 }]);
    // An oversized frame closes that socket (1009) and nothing else.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(`{"data":"${'x'.repeat(4000)}"}`);
    expect(await closed).toBe(1009);
  });

  it('a consumer that stops reading is dropped at the buffer limit, not buffered without bound', async () => {
    const small = await startServer({ maxBufferedBytes: 64 * 1024 });
    try {
      const conn = await rawConnection(small.url);
      conn.socket.write('GET /sse?topic=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(() => small.metrics().connections.sse === 1, 5000, 'the stream');
      conn.socket.pause(); // stop reading: the kernel buffers fill, then the server's
      const body = JSON.stringify({ origin: 'p0', seq: 1, ts: 1, data: 'x'.repeat(60_000) });
      for (let i = 0; i < 200 && small.metrics().drops.slowConsumer.sse === 0; i++) {
        await fetch(`${small.url}/publish?topic=slow`, { method: 'POST', headers: json, body });
      }
      await waitFor(() => small.metrics().drops.slowConsumer.sse === 1, 5000, 'the drop');
      await waitFor(() => small.metrics().connections.sse === 0, 5000, 'the stream to be closed');
      conn.socket.destroy();
    } finally {
      await small.close();
    }
  });

  it('still serves correctly afterwards, with no exception or unhandled rejection', async () => {
    const published = await publishMany(server.url, 'after', 3);
    const polled = (await (await fetch(`${server.url}/poll?topic=after&since=0`)).json()) as { events: { id: number }[] };
    expect(polled.events.map((e) => e.id)).toEqual(published.map((p) => p.id));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(crashes).toEqual([]);
    expect(server.metrics().rejected['400']).toBeGreaterThanOrEqual(15);
  });
});
