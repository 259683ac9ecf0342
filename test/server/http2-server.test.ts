import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startReferenceServer, type ReferenceServer } from '../../src/server/reference-server.js';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ tlsPort: 0 });
});
afterAll(async () => {
  await server.close();
});

function publish(topic: string, seq: number): Promise<number> {
  return fetch(`${server.url}/publish?topic=${topic}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ origin: 'p0', seq, ts: 1, data: 'x'.repeat(32) }),
  }).then(async (res) => ((await res.json()) as { id: number }).id);
}

function h2Get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

/** A raw HTTP/1.1 GET on its own socket: the first bytes decide the protocol on the shared port. */
function rawHttp1(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

describe('the reference server over HTTP/2 and TLS', () => {
  it('answers HTTP/1.1 and h2c (prior knowledge) on the same port', async () => {
    const h1 = await rawHttp1(server.port, '/healthz');
    expect(h1.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    const session = h2Connect(server.url);
    try {
      const answer = await h2Get(session, '/healthz');
      expect(answer).toEqual({ status: 200, body: '{"ok":true,"protocol":"rtbench/1"}' });
      expect(session.alpnProtocol).toBe('h2c');
    } finally {
      session.close();
    }
  });

  it('offers h2 and http/1.1 by ALPN on the TLS port, with the certificate it generated', async () => {
    expect(server.tlsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const [offer, chosen] of [[['h2', 'http/1.1'], 'h2'], [['http/1.1'], 'http/1.1']] as const) {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.tlsPort!, ca: server.tlsCert, ALPNProtocols: [...offer] });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      expect(socket.alpnProtocol).toBe(chosen);
      expect(socket.authorized).toBe(true);
      socket.destroy();
    }
    const session = h2Connect(server.tlsUrl!, { ca: server.tlsCert });
    try {
      expect((await h2Get(session, '/healthz')).status).toBe(200);
    } finally {
      session.close();
    }
    const h1 = await new Promise<string | undefined>((resolve, reject) =>
      httpsRequest(`${server.tlsUrl}/healthz`, { ca: server.tlsCert }, (res) => resolve(res.httpVersion)).on('error', reject).end(),
    );
    expect(h1).toBe('1.1');
  });

  it('refuses a handshake from a client that does not trust the self-signed certificate', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.tlsPort! });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('upgrades WebSockets over TLS (wss) and delivers events on them', async () => {
    const ws = new WebSocket(`${server.tlsUrl!.replace('https:', 'wss:')}/ws?topic=wss1`, { ca: server.tlsCert });
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const message = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    const id = await publish('wss1', 1);
    expect(JSON.parse(await message)).toMatchObject({ id, topic: 'wss1', origin: 'p0', seq: 1 });
    ws.close();
  });

  it('sends each SSE event as one DATA frame: a 9-byte frame header and the same bytes HTTP/1.1 sends', async () => {
    // A relay between client and server records what the server wrote, so the frames are checked as they crossed the socket.
    const fromServer: Buffer[] = [];
    const relayed: Socket[] = [];
    const relay: NetServer = createNetServer((client: Socket) => {
      const upstream = netConnect(server.port, '127.0.0.1');
      relayed.push(client, upstream);
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => fromServer.push(chunk));
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as { port: number }).port;

    // The same event over HTTP/1.1, for its SSE bytes (one chunk of the chunked body).
    const h1 = netConnect(server.port, '127.0.0.1');
    let h1Text = '';
    h1.setEncoding('latin1');
    h1.on('data', (chunk: string) => (h1Text += chunk));
    h1.write('GET /sse?topic=frame1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

    const session = h2Connect(`http://127.0.0.1:${port}`);
    const stream = session.request({ ':path': '/sse?topic=frame1' });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => stream.once('response', resolve));
    await until(() => chunks.length >= 1 && h1Text.includes('\r\n\r\n'));
    const before = Buffer.concat(fromServer).length;
    const id = await publish('frame1', 1);
    await until(() => Buffer.concat(chunks).toString('utf8').includes(`id: ${id}\n`) && h1Text.includes(`id: ${id}\n`));

    const sse = Buffer.from(h1Text.slice(h1Text.indexOf(`id: ${id}\n`), h1Text.indexOf('\n\n', h1Text.indexOf(`id: ${id}\n`)) + 2), 'latin1');
    expect(sse.toString('utf8')).toMatch(new RegExp(`^id: ${id}\\ndata: \\{.*\\}\\n\\n$`));
    const after = Buffer.concat(fromServer).subarray(before);
    const frames = parseFrames(after);
    const data = frames.filter((f) => f.type === 0 && f.streamId === stream.id);
    expect(data).toHaveLength(1);
    expect(data[0].length).toBe(sse.length);
    expect(data[0].payload.equals(sse)).toBe(true);
    // The event's bytes on the wire: exactly one frame header more than the event (no other frame on its stream).
    expect(frames.filter((f) => f.streamId === stream.id).reduce((n, f) => n + 9 + f.length, 0)).toBe(9 + sse.length);

    h1.destroy();
    session.destroy();
    for (const socket of relayed) socket.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });
});

interface Frame {
  length: number;
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** HTTP/2 frames (RFC 9113 §4.1) in bytes that start at a frame boundary. */
function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    frames.push({ length, type: bytes[at + 3], flags: bytes[at + 4], streamId: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  expect(at).toBe(bytes.length);
  return frames;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
