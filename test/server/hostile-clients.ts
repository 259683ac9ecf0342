import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { rawConnection, waitFor } from '../helpers/server.js';

/**
 * Helpers for tests that talk to the reference server the way a hostile or broken client
 * does: raw bytes on a socket, requests that are never read, memory measured in-process.
 */

/** A Host header value the server accepts: its own address and port. */
export function hostOf(server: ReferenceServer): string {
  return new URL(server.url).host;
}

/** A raw TCP connection to the server, with everything it received collected. */
export function rawSocket(server: ReferenceServer): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return rawConnection(server.url);
}

/** One raw HTTP exchange: writes `request` and collects what arrives until the server closes or `timeoutMs` passes. */
export async function exchange(server: ReferenceServer, request: string | Buffer, timeoutMs = 2000): Promise<string> {
  const conn = await rawSocket(server);
  conn.socket.write(request);
  await Promise.race([conn.closed, new Promise((r) => setTimeout(r, timeoutMs))]);
  conn.socket.destroy();
  return conn.received().toString('latin1');
}

/** `METHOD path HTTP/1.1` with the server's own Host, the given headers, and `Connection: close`. */
export function requestText(server: ReferenceServer, method: string, path: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostOf(server)}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The status code of a raw response, or 0 when none arrived. */
export function statusOf(response: string): number {
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(response);
  return match ? Number(match[1]) : 0;
}

/** The header block of a raw response, lower-cased. */
export function headOf(response: string): string {
  const end = response.indexOf('\r\n\r\n');
  return (end < 0 ? response : response.slice(0, end)).toLowerCase();
}

/** The body of a raw response (after the header block). */
export function bodyOf(response: string): string {
  const end = response.indexOf('\r\n\r\n');
  return end < 0 ? '' : response.slice(end + 4);
}

/** Splits an HTTP/1.1 chunked body into its chunks; an incomplete last chunk is left out. */
export function chunksOf(body: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(pos, lineEnd).toString(), 16);
    const start = lineEnd + 2;
    if (!(size > 0) || start + size + 2 > body.length) break;
    chunks.push(body.subarray(start, start + size));
    pos = start + size + 2;
  }
  return chunks;
}

/** An SSE stream on a raw socket: the chunks of its body so far, as text. */
export async function openRawSse(server: ReferenceServer, topic: string, extraHeaders = ''): Promise<{ chunks: () => string[]; received: () => Buffer; destroy: () => void; socket: Socket; closed: Promise<void> }> {
  const conn = await rawSocket(server);
  conn.socket.write(`GET /sse?topic=${topic} HTTP/1.1\r\nHost: ${hostOf(server)}\r\n${extraHeaders}\r\n`);
  await waitFor(() => conn.received().includes('\r\n\r\n'), 5000, 'the SSE response head');
  const body = (): Buffer => {
    const raw = conn.received();
    return raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  };
  return { chunks: () => chunksOf(body()).map(String), received: conn.received, destroy: () => conn.socket.destroy(), socket: conn.socket, closed: conn.closed };
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The handshake request of a WebSocket upgrade, by hand. */
export function upgradeText(host: string, path: string, extra: Record<string, string> = {}, version = '1.1'): string {
  const lines = [`GET ${path} HTTP/${version}`, `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}`, 'Sec-WebSocket-Version: 13'];
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function expectedAccept(): string {
  return createHash('sha1').update(`${Buffer.from('0123456789abcdef').toString('base64')}${WS_GUID}`).digest('base64');
}

/** A client WebSocket frame: FIN set unless `fin` is false, masked unless `mask` is false. */
export function wsFrame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: boolean; declaredLength?: bigint } = {}): Buffer {
  const fin = options.fin ?? true;
  const mask = options.mask ?? true;
  const length = options.declaredLength ?? BigInt(payload.length);
  let header: Buffer;
  if (length < 126n) {
    header = Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | Number(length)]);
  } else if (length < 65_536n) {
    header = Buffer.alloc(4);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i & 3];
  return Buffer.concat([header, key, masked]);
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection, so memory figures count what is retained, not what is garbage. */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    // The test process runs without --expose-gc; this flag, set at run time, exposes gc to a new context.
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}

/** Bytes this process holds in Buffers and ArrayBuffers (where event and response bytes live), and its RSS, after a full GC. */
export function retainedMemory(): { arrayBuffersBytes: number; rssBytes: number; heapUsedBytes: number } {
  collectGarbage();
  const m = process.memoryUsage();
  return { arrayBuffersBytes: m.arrayBuffers, rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

export const MiB = 1024 * 1024;

/** Publishes one body as is and returns the status and answer. */
export async function publishRaw(server: ReferenceServer, body: string, topic = 't', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}/publish?topic=${topic}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}
