import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { SocketAccounting } from '../metrics/socket-bytes.js';
import type { TlsCredentials } from './tls-credentials.js';

/** The client connection preface of HTTP/2 with prior knowledge (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Most concurrent streams the server allows on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
export const H2_MAX_CONCURRENT_STREAMS = 1000;

/**
 * The reference server's HTTP/2 side: node:http2's compatibility API hands every stream to
 * the same request handler as HTTP/1.1 (its request and response have the members the
 * routes use: url, method, headers, writeHead, write, end, writableLength, 'close'). The
 * Host check reads `Host`; HTTP/2 sends `:authority` instead, so it is copied there.
 */
export function createHttp2Side(handler: (req: IncomingMessage, res: ServerResponse) => void, sessions: Set<ServerHttp2Session>): Http2Server {
  const server = createH2Server({ settings: { maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS } }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const authority = req.headers[':authority'];
    if (req.headers.host === undefined && typeof authority === 'string') req.headers.host = authority;
    // The compatibility objects stand in for node:http's; the routes use only what both have.
    handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A client that breaks the protocol loses its session; it must not crash the server.
    session.on('error', ignore);
  });
  return server;
}

/**
 * One cleartext port for both protocols: a connection that opens with the HTTP/2 preface
 * (prior knowledge, h2c) goes to the HTTP/2 side, any other to the HTTP/1.1 server (which
 * also upgrades WebSockets). Every accepted socket is counted by `sockets` before either
 * sees it. The first bytes are read and put back (unshift), so neither side misses them.
 */
export function createCleartextListener(h1: HttpServer, h2: Http2Server, sockets: SocketAccounting): NetServer {
  return createNetServer({ noDelay: true }, (socket: Socket) => {
    sockets.track(socket);
    socket.on('error', ignore);
    // A connection that never sends its first bytes is not yet either server's to time out.
    socket.setTimeout(h1.headersTimeout, destroyIdle);
    sniff(socket, Buffer.alloc(0), h1, h2);
  });
}

function destroyIdle(this: Socket): void {
  this.destroy();
}

function sniff(socket: Socket, seen: Buffer, h1: HttpServer, h2: Http2Server): void {
  socket.once('data', (chunk: Buffer) => {
    socket.pause();
    const bytes = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(bytes.length, H2_PREFACE.length);
    const prefaceSoFar = bytes.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (prefaceSoFar && n < H2_PREFACE.length) {
      sniff(socket, bytes, h1, h2); // a partial preface: wait for the rest
      socket.resume();
      return;
    }
    socket.removeListener('error', ignore);
    socket.setTimeout(0);
    socket.removeListener('timeout', destroyIdle);
    socket.unshift(bytes);
    if (prefaceSoFar) {
      // The HTTP/2 session reads what is buffered on the next tick; resuming now would flow it away unread.
      h2.emit('connection', socket);
    } else {
      h1.emit('connection', socket);
      socket.resume(); // node:http adds a 'data' listener but does not resume a socket paused by hand
    }
  });
}

/**
 * The TLS port: ALPN offers h2 and http/1.1; a connection that chose h2 goes to the HTTP/2
 * side, any other (http/1.1, or no ALPN) to the HTTP/1.1 server — WebSocket over TLS (wss)
 * among them. Bytes are counted on the TCP socket under TLS: what crosses the wire,
 * records and handshake included.
 */
export function createTlsListener(h1: HttpServer, h2: Http2Server, credentials: TlsCredentials, sockets: SocketAccounting, onTlsError: () => void): TlsServer {
  const server = createTlsServer({ cert: credentials.cert, key: credentials.key, ALPNProtocols: ['h2', 'http/1.1'] }, (socket: TLSSocket) => {
    (socket.alpnProtocol === 'h2' ? h2 : h1).emit('connection', socket);
  });
  server.on('connection', (raw: Socket) => {
    raw.setNoDelay(true);
    sockets.track(raw);
  });
  // A handshake that failed (a client that refused the certificate, or spoke plain HTTP): counted, not thrown.
  server.on('tlsClientError', onTlsError);
  return server;
}

function ignore(): void {}
