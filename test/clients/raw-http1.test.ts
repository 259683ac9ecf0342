import { once } from 'node:events';
import { createServer as createHttpServer, get, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkedDecoder, requestHead, ResponseHeadReader } from '../../src/clients/raw-http1.js';
import { SseParser } from '../../src/clients/sse-parser.js';

/**
 * The raw HTTP/1.1 layer against node:http on identical bytes: response heads and chunked
 * bodies (extensions, trailers, sizes in either case) cut every possible way must give
 * node's status, headers and body; and an SSE stream sent by a node:http server, read
 * through the head reader, the chunked decoder and the event-stream parser, must give the
 * events the parser gives on the plain body (which sse-parser.test.ts checks against the
 * eventsource package).
 */

interface Read {
  status: number;
  contentType: string | undefined;
  body: string;
  done: boolean;
  connectionClose: boolean;
}

/** The raw layer's reading of a response cut into `pieces`. */
function readRaw(pieces: Buffer[]): Read {
  const head = new ResponseHeadReader(['content-type']);
  const chunked = new ChunkedDecoder();
  const body: Buffer[] = [];
  const sink = { body: (buf: Buffer, s: number, e: number) => void body.push(Buffer.from(buf.subarray(s, e))) };
  let inBody = false;
  let done = false;
  for (const piece of pieces) {
    let pos = 0;
    if (!inBody) {
      pos = head.feed(piece, 0, piece.length);
      if (pos < 0) continue;
      inBody = true;
    }
    if (head.chunked) {
      if (chunked.feed(piece, pos, piece.length, sink) >= 0) done = true;
    } else body.push(Buffer.from(piece.subarray(pos)));
  }
  return { status: head.status, contentType: head.headers.get('content-type'), body: Buffer.concat(body).toString('latin1'), done, connectionClose: head.connectionClose };
}

function cuts(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
  for (let i = 1; i < bytes.length; i++) ways.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return ways;
}

/** Responses written byte for byte by a raw server (what node:http must also accept). */
const RESPONSES: Record<string, string> = {
  'chunked, sizes in both cases, an extension and a trailer':
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\na\r\n0123456789\r\nA\r\nABCDEFGHIJ\r\n0\r\nX-Trailer: 1\r\n\r\n',
  'content-length': 'HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"next":42}',
  'header names in any case, values with spaces around': 'HTTP/1.1 404 Not Found\r\nCONTENT-TYPE:   text/html  \r\ntransfer-ENCODING: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'no body (304)': 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nConnection: close\r\n\r\n',
  'keep-alive, the body cut from the head by nothing but the blank line': 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=65\r\nContent-Length: 2\r\n\r\n{}',
};

describe('ResponseHeadReader and ChunkedDecoder agree with node:http on the same bytes', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', (chunk) => {
        const name = decodeURIComponent(/case=([^ ]+)/.exec(chunk.toString('latin1'))![1]);
        socket.end(RESPONSES[name]);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => void server.close());

  function reference(name: string): Promise<Read> {
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: `/?case=${encodeURIComponent(name)}`, agent: false }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: Buffer.concat(body).toString('latin1'), done: res.headers['transfer-encoding'] === 'chunked', connectionClose: res.headers.connection === 'close' }));
      }).on('error', reject);
    });
  }

  for (const name of Object.keys(RESPONSES)) {
    it(name, async () => {
      const expected = await reference(name);
      for (const pieces of cuts(Buffer.from(RESPONSES[name], 'latin1'))) expect(readRaw(pieces), `cut into ${pieces.length}`).toEqual(expected);
    });
  }

  it('refuses a head that is not HTTP, and one larger than 64 KiB', () => {
    const bad = new ResponseHeadReader();
    expect(bad.feed(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'), 0, 19)).toBe(-1);
    expect(bad.failed).toBe(true);
    // A complete head too short for a status line, whole or cut anywhere.
    for (const pieces of cuts(Buffer.from('HTTP/1\r\n\r\n'))) {
      const short = new ResponseHeadReader();
      for (const piece of pieces) short.feed(piece, 0, piece.length);
      expect(short.failed, `cut into ${pieces.length}`).toBe(true);
    }
    const big = new ResponseHeadReader();
    const line = Buffer.from(`X-Pad: ${'x'.repeat(1000)}\r\n`);
    big.feed(Buffer.from('HTTP/1.1 200 OK\r\n'), 0, 17);
    for (let i = 0; i < 70 && !big.failed; i++) big.feed(line, 0, line.length);
    expect(big.failed).toBe(true);
  });

  it('a chunk size that is not hex fails the body', () => {
    const decoder = new ChunkedDecoder();
    decoder.feed(Buffer.from('zz\r\n'), 0, 4, { body: () => {} });
    expect(decoder.failed).toBe(true);
  });
});

/** SSE streams (WHATWG HTML §9.2.6), sent by a node:http server in 3-byte writes: one chunk each. */
const STREAMS: Record<string, string> = {
  'events, ids, comments, retry': 'retry: 1500\n\nid: 1\ndata: {"origin":"p0","seq":1}\n\n: keep-alive\n\nid: 2\nevent: custom\ndata: a\ndata: b\n\n',
  'CRLF and CR line ends, a BOM': '\uFEFFdata: one\r\n\r\ndata: two\r\rdata: three\n\n',
  'UTF-8 across chunk boundaries': 'data: héllo wörld ✓\n\nid: ✓7\ndata: x\n\n',
};

describe('SSE through the raw HTTP/1.1 layer: the same events as on the plain body', () => {
  let server: HttpServer;
  let port: number;
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      const bytes = Buffer.from(STREAMS[decodeURIComponent(new URL(req.url!, 'http://x').searchParams.get('case')!)]);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'close' });
      for (let i = 0; i < bytes.length; i += 3) res.write(bytes.subarray(i, i + 3));
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => void server.close());

  async function capture(name: string): Promise<Buffer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write(requestHead('GET', `/?case=${encodeURIComponent(name)}`, `127.0.0.1:${port}`, { Accept: 'text/event-stream', Connection: 'close' }));
    const pieces: Buffer[] = [];
    socket.on('data', (c: Buffer) => pieces.push(c));
    await once(socket, 'close');
    return Buffer.concat(pieces);
  }

  function events(feed: (parser: SseParser) => void): string[] {
    const seen: string[] = [];
    const parser: SseParser = new SseParser({
      onEvent: (data, s, e, type) => seen.push(`${type}|${Buffer.from(data.subarray(s, e)).toString('utf8')}|${parser.lastEventId}`),
      onComment: (line, s, e) => seen.push(`:${Buffer.from(line.subarray(s, e)).toString('utf8')}`),
      onRetry: (ms) => seen.push(`retry ${ms}`),
    });
    feed(parser);
    return seen;
  }

  for (const name of Object.keys(STREAMS)) {
    it(name, async () => {
      const bytes = await capture(name);
      const expected = events((p) => p.push(Buffer.from(STREAMS[name])));
      expect(expected.length).toBeGreaterThan(1);
      for (const pieces of cuts(bytes)) {
        const seen = events((parser) => {
          const head = new ResponseHeadReader(['content-type']);
          const chunked = new ChunkedDecoder();
          const sink = { body: (buf: Buffer, s: number, e: number) => parser.push(buf, s, e) };
          let inBody = false;
          for (const piece of pieces) {
            let pos = 0;
            if (!inBody) {
              pos = head.feed(piece, 0, piece.length);
              if (pos < 0) continue;
              inBody = true;
              expect(head.status).toBe(200);
              expect(head.chunked).toBe(true);
              expect(head.headers.get('content-type')).toBe('text/event-stream');
            }
            chunked.feed(piece, pos, piece.length, sink);
          }
          expect(chunked.done).toBe(true);
        });
        expect(seen, `cut into ${pieces.length}`).toEqual(expected);
      }
    });
  }
});
