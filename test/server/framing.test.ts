import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { rawConnection, startServer, waitFor } from '../helpers/server.js';

let server: ReferenceServer;
afterEach(async () => {
  await server?.close();
});

async function publishRaw(body: string, topic = 't'): Promise<number> {
  const res = await fetch(`${server.url}/publish?topic=${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return ((await res.json()) as { id: number }).id;
}

/** Splits an HTTP/1.1 chunked body into its chunks; undefined while the last one is incomplete. */
function chunksOf(body: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(pos, lineEnd).toString(), 16);
    const start = lineEnd + 2;
    if (start + size + 2 > body.length) break;
    chunks.push(body.subarray(start, start + size));
    expect(body.subarray(start + size, start + size + 2).toString()).toBe('\r\n');
    pos = start + size + 2;
  }
  return chunks;
}

describe('SSE framing', () => {
  it('writes each event as exactly one chunk "id: N\\ndata: <event json>\\n\\n", after one opening block "retry: MS\\nid: <cursor>\\n\\n"', async () => {
    server = await startServer({ sseRetryMs: 2500 });
    const conn = await rawConnection(server.url);
    conn.socket.write('GET /sse?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => conn.received().includes('retry: 2500'), 5000, 'the stream to open');

    const bodies = ['{"origin":"p0","seq":1,"ts":100,"data":"a"}', '{"origin":"p0","seq":2,"ts":200,"data":"' + 'x'.repeat(3000) + '"}', '{}'];
    const ids: number[] = [];
    for (const body of bodies) ids.push(await publishRaw(body));
    const expected = [
      `id: 1\ndata: {"id":1,"topic":"t","origin":"p0","seq":1,"ts":100,"data":"a"}\n\n`,
      `id: 2\ndata: {"id":2,"topic":"t","origin":"p0","seq":2,"ts":200,"data":"${'x'.repeat(3000)}"}\n\n`,
      `id: 3\ndata: {"id":3,"topic":"t"}\n\n`,
    ];
    await waitFor(() => conn.received().toString().includes('id: 3\n'), 5000, 'three events');
    conn.socket.destroy();

    const raw = conn.received();
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString();
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\ncontent-type: text\/event-stream\r\n/i);
    expect(head).toMatch(/\r\ntransfer-encoding: chunked/i);
    expect(head).toMatch(/\r\naccess-control-allow-origin: \*/i);
    const chunks = chunksOf(raw.subarray(raw.indexOf('\r\n\r\n') + 4)).map((c) => c.toString());
    // The opening block carries the cursor the stream starts from (the head, 0 here) as its
    // id, with no data: it dispatches nothing but sets the client's last event ID, so a
    // client cut before its first event resumes from there (DESIGN §2). Deliberately part
    // of the exact bytes: it costs every SSE connection `id: <head>\n` more than before.
    expect(chunks).toEqual(['retry: 2500\nid: 0\n\n', ...expected]);
    expect(ids).toEqual([1, 2, 3]);
  });

  it('sends a comment heartbeat', async () => {
    server = await startServer({ sseHeartbeatMs: 100 });
    const conn = await rawConnection(server.url);
    conn.socket.write('GET /sse?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => chunksOf(conn.received().subarray(conn.received().indexOf('\r\n\r\n') + 4)).length >= 3, 5000, 'two heartbeats');
    conn.socket.destroy();
    const chunks = chunksOf(conn.received().subarray(conn.received().indexOf('\r\n\r\n') + 4)).map(String);
    expect(chunks.slice(1, 3)).toEqual([':\n\n', ':\n\n']);
  });
});

/** Opens a WebSocket by hand (no library) so the test sees the server's frames byte for byte. */
async function rawWebSocket(topic: string): Promise<{ frames: () => { header: Buffer; payload: Buffer }[]; close: () => void }> {
  const conn = await rawConnection(server.url);
  const key = Buffer.from('0123456789abcdef').toString('base64');
  conn.socket.write(
    `GET /ws?topic=${topic} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
  );
  await waitFor(() => conn.received().includes('\r\n\r\n'), 5000, 'the handshake');
  const raw = conn.received();
  const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString();
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  expect(head).toContain(`Sec-WebSocket-Accept: ${accept}`);
  // The client offered permessage-deflate; the server must not have accepted it.
  expect(head.toLowerCase()).not.toContain('sec-websocket-extensions');
  const bodyStart = raw.indexOf('\r\n\r\n') + 4;
  return {
    frames: () => {
      const data = conn.received().subarray(bodyStart);
      const frames: { header: Buffer; payload: Buffer }[] = [];
      let pos = 0;
      while (pos + 2 <= data.length) {
        const len7 = data[pos + 1] & 0x7f;
        const headerLength = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
        if (pos + headerLength > data.length) break;
        const length = len7 < 126 ? len7 : len7 === 126 ? data.readUInt16BE(pos + 2) : Number(data.readBigUInt64BE(pos + 2));
        if (pos + headerLength + length > data.length) break;
        frames.push({ header: data.subarray(pos, pos + headerLength), payload: data.subarray(pos + headerLength, pos + headerLength + length) });
        pos += headerLength + length;
      }
      return frames;
    },
    close: () => conn.socket.destroy(),
  };
}

describe('WebSocket framing', () => {
  it('sends one unmasked text frame per event, with a 2-, 4- or 10-byte header by payload size', async () => {
    server = await startServer();
    const ws = await rawWebSocket('t');
    await waitFor(() => server.metrics().connections.ws === 1, 5000, 'the server to register the socket');
    const emptyStamped = '{"id":1,"topic":"t","origin":"p0","seq":1,"ts":1,"data":""}'.length;
    // Event JSON sizes at and around each header-size boundary (RFC 6455 §5.2).
    const sizes = [125, 126, 65_535, 65_536, 70_000];
    for (const [i, size] of sizes.entries()) {
      const idDigits = String(i + 1).length - 1; // ids past 9 are one byte longer
      await publishRaw(`{"origin":"p0","seq":1,"ts":1,"data":"${'x'.repeat(size - emptyStamped - idDigits)}"}`);
    }
    await waitFor(() => ws.frames().length === sizes.length, 5000, 'five frames');
    ws.close();
    const frames = ws.frames();
    expect(frames.map((f) => f.payload.length)).toEqual(sizes);
    expect(frames.map((f) => f.header.length)).toEqual([2, 4, 4, 10, 10]);
    for (const frame of frames) {
      expect(frame.header[0]).toBe(0x81); // FIN + text opcode
      expect(frame.header[1] & 0x80).toBe(0); // server frames are not masked
      expect((JSON.parse(frame.payload.toString()) as { topic: string }).topic).toBe('t');
    }
  });
});
