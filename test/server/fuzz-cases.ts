import { connect } from 'node:net';
import type { Random } from '../../src/publisher/rng.js';
import type { ReferenceServer } from '../../src/server/reference-server.js';
import { upgradeText, wsFrame } from './hostile-clients.js';

/**
 * Hostile inputs for the reference server, drawn from a seeded generator so every failure
 * reproduces from its seed and case number: malformed request lines and headers, hostile
 * query values, odd bodies, malformed WebSocket frames, and cuts at any byte.
 */

export type CaseKind = 'request-line' | 'headers' | 'query' | 'body' | 'pipelined' | 'ws-frames' | 'stream-cut';

export interface FuzzCase {
  readonly kind: CaseKind;
  /** Bytes sent first: an HTTP request (or several, or garbage). */
  readonly request: Buffer;
  /** Sent once the request got its 101 (WebSocket cases only). */
  readonly frames: Buffer[];
  /** Cut the connection after this many bytes of `request` + `frames` (Infinity: send all). */
  readonly cutAfterBytes: number;
  /** How the client leaves: FIN, RST, or by waiting for the server to answer first. */
  readonly ending: 'end' | 'reset' | 'wait';
  /** Longest wait for answers before leaving, ms. */
  readonly waitMs: number;
}

/** Topics the fuzzer may name validly: a small set, so it does not fill the server with topics. */
export const FUZZ_TOPICS = ['f0', 'f1', 'f2', 'f3', 'f4', 'f.5', 'f:6', 'f-7', 'f_8', 'F9'];

const KINDS: readonly CaseKind[] = ['request-line', 'headers', 'query', 'body', 'pipelined', 'ws-frames', 'stream-cut'];

export function makeCase(random: Random, host: string, maxBodyBytes: number): FuzzCase {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const kind = pick(KINDS);
  const request = Buffer.from(requestFor(kind, random, pick, host, maxBodyBytes), 'latin1');
  const frames = kind === 'ws-frames' ? wsFrames(random, pick, maxBodyBytes) : [];
  const total = request.length + frames.reduce((n, f) => n + f.length, 0);
  const cut = random() < 0.25 ? Math.floor(random() * total) : Infinity;
  const ending = pick(['end', 'reset', 'wait', 'wait', 'wait'] as const);
  return { kind, request, frames, cutAfterBytes: cut, ending, waitMs: 5 + Math.floor(random() * 60) };
}

export interface CaseResult {
  /** Status codes of every answer the case got. */
  statuses: number[];
}

/** Runs one case on its own connection; resolves with the statuses it was answered with. */
export function runCase(server: ReferenceServer, c: FuzzCase): Promise<CaseResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let sent = 0;
    let left = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses });
    };
    const timer = setTimeout(finish, c.waitMs + 200);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A WebSocket case sends its frames once the upgrade is answered.
      if (c.frames.length > 0 && !left && sent === c.request.length && Buffer.concat(chunks).includes('\r\n\r\n')) {
        if (Buffer.concat(chunks).toString('latin1').startsWith('HTTP/1.1 101')) sendBytes(Buffer.concat(c.frames));
        else sent = Infinity;
      }
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    const sendBytes = (bytes: Buffer): void => {
      const room = c.cutAfterBytes - sent;
      const part = room < bytes.length ? bytes.subarray(0, Math.max(0, room)) : bytes;
      sent += bytes.length;
      if (part.length > 0 && !socket.destroyed) socket.write(part);
      if (room < bytes.length) leave();
    };
    const leave = (): void => {
      if (left) return;
      left = true;
      if (c.ending === 'reset') socket.resetAndDestroy();
      else if (c.ending === 'end') socket.end();
      setTimeout(finish, c.waitMs);
    };
    socket.once('connect', () => {
      sendBytes(c.request);
      if (c.frames.length === 0 && c.cutAfterBytes >= c.request.length) leave();
      else if (c.frames.length > 0) setTimeout(leave, c.waitMs + 100);
    });
  });
}

type Pick = <T>(items: readonly T[]) => T;

function requestFor(kind: CaseKind, random: Random, pick: Pick, host: string, maxBodyBytes: number): string {
  switch (kind) {
    case 'request-line':
      return `${pick(METHODS)}${pick(['', ' ', '  ', '\t'])}${pick(PATHS)}${pick([' ', '', '  '])}${pick(VERSIONS)}${pick(EOLS)}Host: ${host}\r\n\r\n`;
    case 'headers':
      return `${pick(['GET', 'POST'])} ${pick(ROUTES)}?topic=${pick(FUZZ_TOPICS)} HTTP/1.1${headerBlock(random, pick, host)}${pick(['', '{}', '{"seq":1}', 'x'.repeat(100)])}`;
    case 'query':
      return `GET ${pick(ROUTES)}?${query(random, pick)} HTTP/1.1\r\nHost: ${host}\r\n${pick(['', 'Last-Event-ID: ' + pick(CURSORS) + '\r\n', 'Accept: text/plain\r\n'])}\r\n`;
    case 'body':
      return publishRequest(random, pick, host, maxBodyBytes);
    case 'pipelined': {
      const count = 1 + Math.floor(random() * 80);
      let text = '';
      for (let i = 0; i < count; i++) {
        text += random() < 0.5 ? publishRequest(random, pick, host, 64) : `GET ${pick(ROUTES)}?${query(random, pick)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      }
      return text;
    }
    case 'ws-frames':
      return upgradeText(host, `/ws?topic=${pick(FUZZ_TOPICS)}${random() < 0.3 ? '&since=' + pick(CURSORS) : ''}`, random() < 0.2 ? { 'Sec-WebSocket-Extensions': 'permessage-deflate' } : {});
    case 'stream-cut':
      return pick([
        `GET /sse?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\nHost: ${host}\r\n${random() < 0.5 ? 'Last-Event-ID: ' + pick(CURSORS) + '\r\n' : ''}\r\n`,
        `GET /long-poll?topic=${pick(FUZZ_TOPICS)}&since=${pick(['0', '999999', '1'])}${random() < 0.5 ? '' : '&timeout=' + pick(['0', '10', '100000'])} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        `POST /publish?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${1 + Math.floor(random() * 5000)}\r\n\r\n{"seq":`,
        `POST /publish?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${pick(['5\r\n{"a":', 'ffffffffffffffff\r\n', '5;ext=1\r\n{"a":1\r\n', 'zz\r\n', '1\r\n{\r\n0\r\n\r\n'])}`,
      ]);
  }
}

function publishRequest(random: Random, pick: Pick, host: string, maxBodyBytes: number): string {
  const body = pick(BODIES)(random, maxBodyBytes);
  const contentType = pick(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/jsonx', '']);
  const headers = [`Host: ${host}`];
  if (contentType !== '') headers.push(`Content-Type: ${contentType}`);
  if (random() < 0.15) headers.push(`Origin: ${pick(['http://evil.example', `http://${host}`, 'null'])}`);
  const framing = random();
  if (framing < 0.7) {
    headers.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
    return `POST /publish?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
  }
  if (framing < 0.9) {
    headers.push('Transfer-Encoding: chunked');
    const half = Math.floor(body.length / 2);
    const chunks = [body.slice(0, half), body.slice(half)].filter((c) => c.length > 0);
    return `POST /publish?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${chunks.map((c) => `${Buffer.byteLength(c, 'latin1').toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;
  }
  // A Content-Length that does not match the body: shorter (the rest is read as the next request) or longer (held until cut).
  headers.push(`Content-Length: ${pick([0, 1, body.length + 10, body.length * 2 + 1])}`);
  return `POST /publish?topic=${pick(FUZZ_TOPICS)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
}

function query(random: Random, pick: Pick): string {
  const parts: string[] = [];
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    const name = pick(['topic', 'since', 'limit', 'timeout', 'topic', 'since', 'x', '', '%74opic', 'topic[]']);
    const value = name.includes('topic') ? pick(TOPIC_VALUES) : pick(CURSORS);
    parts.push(random() < 0.1 ? name : `${name}=${value}`);
  }
  if (random() < 0.7) parts.unshift(`topic=${pick(FUZZ_TOPICS)}`);
  return parts.join(pick(['&', '&', '&&', ';']));
}

function headerBlock(random: Random, pick: Pick, host: string): string {
  const eol = random() < 0.85 ? '\r\n' : pick(EOLS);
  const lines: string[] = [];
  if (random() < 0.8) lines.push(`Host: ${random() < 0.8 ? host : pick(FOREIGN_HOSTS)}`);
  const count = Math.floor(random() * 6);
  for (let i = 0; i < count; i++) lines.push(pick(HEADER_LINES)(random, host));
  return `${eol}${lines.join(eol)}${eol}${eol}`;
}

function wsFrames(random: Random, pick: Pick, maxBodyBytes: number): Buffer[] {
  const frames: Buffer[] = [];
  const count = 1 + Math.floor(random() * 5);
  for (let i = 0; i < count; i++) frames.push(pick(FRAMES)(random, pick, maxBodyBytes));
  if (random() < 0.3) frames.push(wsFrame(0x8, Buffer.from([0x03, 0xe8]))); // a proper close (1000)
  return frames;
}

const EOLS = ['\r\n', '\n', '\r', '\r\r\n', '\n\r'];
const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI', 'get', 'G\x00T', '', 'GET GET', '\xff\xfe', 'M'.repeat(300)];
const PATHS = ['/', '/poll', '/long-poll?topic=f0&timeout=5', '/sse?topic=f0', '/ws', '/publish', '/metrics', '/healthz', '/nope', '*', 'http://127.0.0.1/poll', '//poll', '/poll/../metrics', '/%', '/%zz?topic=%', '/\x7f', '/' + 'a'.repeat(9000), 'poll', '/poll#frag', '/poll?topic=f0&since=0'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.12', 'http/1.1', 'HTTP/9', '', 'HTTP/1.1 extra', 'HTTP/'];
const ROUTES = ['/poll', '/long-poll', '/sse', '/publish', '/metrics', '/healthz', '/ws', '/', '/nope'];
const CURSORS = ['0', '1', '-1', '1.5', '1e3', '0x10', '99999999999999999999', '9007199254740993', '', ' 1', '+1', 'NaN', 'Infinity', '%31', '5', '%00', '1%0d%0a'];
const TOPIC_VALUES = ['', '%00', '%0d%0aX-Injected:%201', 'a'.repeat(65), 'a'.repeat(3000), '%C3%A9', '%E9', '../x', '%', '%%', '%E2%80%A8', '*', 'x%20y', 'f0%0a', 'f0', 'f1', '%F0%9F%98%80'];
const FOREIGN_HOSTS = ['evil.example', 'x', '', '127.0.0.1.nip.io', '[::1', '[zz]:1', ':80', 'localhost:notaport', '\x00', 'a'.repeat(500)];

type HeaderLine = (random: Random, host: string) => string;
const HEADER_LINES: readonly HeaderLine[] = [
  () => 'Content-Type: application/json',
  (r) => `Content-Length: ${[0, 1, 7, -1, 1e12, '1, 2', 'abc', ' 5', '0x10'][Math.floor(r() * 9)]}`,
  () => 'Content-Length: 2\r\nContent-Length: 3',
  () => 'Transfer-Encoding: chunked',
  () => 'Transfer-Encoding: chunked, gzip',
  () => 'Transfer-Encoding: identity',
  () => 'Transfer-Encoding: chunked\r\nContent-Length: 5',
  (_r, host) => `Host: ${host}`,
  () => 'Host: evil.example',
  () => 'Origin: http://evil.example',
  () => 'Origin: null',
  () => 'Last-Event-ID: \x01\x02',
  () => 'Last-Event-ID: 99999999999999999999999',
  () => 'Connection: close',
  () => 'Connection: upgrade',
  () => 'Upgrade: websocket',
  () => 'Upgrade: h2c',
  () => 'Sec-WebSocket-Key: bad',
  () => 'Sec-WebSocket-Version: 8',
  () => 'Expect: 100-continue',
  () => 'X-Nul: a\x00b',
  () => 'NoColon',
  () => ' Leading: space',
  () => 'Bad Name: x',
  () => 'X-Folded: a\r\n folded',
  (r) => `X-Long: ${'y'.repeat(Math.floor(r() * 20_000))}`,
  () => 'Accept: text/plain',
  () => ': empty-name',
  () => 'X-Latin: \xe9\xff',
];

type Body = (random: Random, maxBodyBytes: number) => string;
const BODIES: readonly Body[] = [
  () => '',
  () => '{}',
  (r) => `{"origin":"p9","seq":${Math.floor(r() * 1000)},"ts":1,"data":"x"}`,
  () => '{"a":1\n\n,"b":2}',
  () => '{\r"s" :\t"keep\\n",\r\n"n": [1, 2]}',
  () => '\r\n{"data":"d"}\r\n',
  () => '{"s":"a\nb"}',
  () => '{"s":"a\rb"}',
  () => '[1]',
  () => 'null',
  () => '"text"',
  () => '{"id":1}',
  () => '{"topic":"x"}',
  () => '{"__proto__":{"polluted":1}}',
  () => '{"constructor":{"prototype":{"x":1}}}',
  (r) => '['.repeat(1 + Math.floor(r() * 6000)),
  (r) => `{"deep":${'['.repeat(2000 + Math.floor(r() * 2000))}${']'.repeat(2000)}}`,
  () => '{"a":"\\ud800"}',
  () => '{"a":"\\u2028\\u2029"}',
  () => '{"a":"\xff\xfe\xc0"}',
  () => '\xef\xbb\xbf{}',
  () => '{"n":1e999}',
  () => '{"a":1,"a":2}',
  () => '{"data":"</script><script>alert(1)</script>"}',
  (r) => String.fromCharCode(...Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))),
  (_r, max) => `{"data":"${'x'.repeat(max)}"}`,
  (r, max) => `{"data":"${'y'.repeat(Math.floor(r() * (max - 20)))}"}`,
];

type Frame = (random: Random, pick: Pick, maxBodyBytes: number) => Buffer;
const FRAMES: readonly Frame[] = [
  // Bad opcodes (reserved data 3-7 and control 0xB-0xF).
  (r, pick) => wsFrame(pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), Buffer.from('x'.repeat(Math.floor(r() * 20)))),
  // Unmasked client frame (RFC 6455 §5.1: the server must close).
  () => wsFrame(0x1, Buffer.from('{"seq":1}'), { mask: false }),
  // Declared lengths far beyond what follows, up to 2^63 - 1.
  (_r, pick) => wsFrame(0x1, Buffer.from('{}'), { declaredLength: pick([2n ** 63n - 1n, 2n ** 32n, 65_536n, 2n ** 62n]) }),
  // A declared length above maxPayload, with the bytes.
  (_r, _p, max) => wsFrame(0x1, Buffer.from(`{"data":"${'z'.repeat(max)}"}`)),
  // Fragmented control frames and a control frame with more than 125 bytes.
  () => wsFrame(0x9, Buffer.from('ping'), { fin: false }),
  () => wsFrame(0x9, Buffer.alloc(126, 0x61)),
  () => wsFrame(0x8, Buffer.from([0x03])),
  () => wsFrame(0x8, Buffer.from([0x03, 0xe7])), // close code 999
  () => wsFrame(0x8, Buffer.from([0x03, 0xed])), // close code 1005 (must not be sent)
  // A continuation with nothing to continue; a fragmented text message; one that never ends.
  () => wsFrame(0x0, Buffer.from('{"seq":1}')),
  () => Buffer.concat([wsFrame(0x1, Buffer.from('{"se'), { fin: false }), wsFrame(0x0, Buffer.from('q":1}'))]),
  () => wsFrame(0x1, Buffer.from('{"seq":'), { fin: false }),
  // Fragments adding up past maxPayload.
  (_r, _p, max) => Buffer.concat([wsFrame(0x1, Buffer.alloc(max - 10, 0x20), { fin: false }), wsFrame(0x0, Buffer.alloc(100, 0x20))]),
  // RSV bits without an extension.
  () => {
    const frame = wsFrame(0x1, Buffer.from('{}'));
    frame[0] |= 0x70;
    return frame;
  },
  // Invalid UTF-8 in a text frame; binary frames; good and line-broken publishes.
  () => wsFrame(0x1, Buffer.from([0xff, 0xfe, 0xc0, 0x80])),
  (r) => wsFrame(0x2, Buffer.from(Array.from({ length: Math.floor(r() * 50) }, () => Math.floor(r() * 256)))),
  (r) => wsFrame(0x1, Buffer.from(`{"origin":"c9","seq":${Math.floor(r() * 1000)},"ts":1}`)),
  () => wsFrame(0x1, Buffer.from('{"a":1\r\n\r\n,"b":2}')),
  () => wsFrame(0x1, Buffer.from('not json')),
  () => wsFrame(0xa, Buffer.from('unsolicited pong')),
  // Garbage.
  (r) => Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))),
];
