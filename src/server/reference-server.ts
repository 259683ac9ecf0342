import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { nowUs } from '../clock.js';
import { rtbError } from '../errors.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { ServerContext } from './context.js';
import { Hub } from './hub.js';
import { metricsSnapshot } from './metrics-snapshot.js';
import { resolveServerOptions, type ServerOptions } from '../server-options.js';
import { createRequestHandler } from './router.js';
import { newServerStats } from './server-stats.js';
import { SocketAccounting } from '../metrics/socket-bytes.js';
import { createUpgradeHandler } from './routes/ws.js';
import { isSseRequest } from './routes/sse.js';
import { HostOriginPolicy } from './host-origin.js';
import { createPipelineGate } from './pipeline-gate.js';

export interface ReferenceServer {
  /** `http://host:port`, with IPv6 hosts bracketed. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly options: ServerOptions;
  metrics(): ServerMetrics;
  /** Ends streams and held requests, stops listening, and resolves when every socket is gone. */
  close(): Promise<void>;
}

/** Starts the reference server (DESIGN §2) and resolves once it listens. */
export async function startReferenceServer(partial: Partial<ServerOptions> = {}): Promise<ReferenceServer> {
  const options = resolveServerOptions(partial);
  const stats = newServerStats();
  const ctx: ServerContext = {
    options,
    stats,
    hub: new Hub(options, stats),
    sockets: new SocketAccounting(),
    load: new ProcessLoadSampler(),
    startedAtUs: nowUs(),
    access: new HostOriginPolicy(options),
    sseStreams: new Set(),
    wsStreams: new Set(),
    waiters: new Set(),
  };

  const handler = createPipelineGate(
    createRequestHandler(ctx),
    { maxQueuedBytes: options.maxBufferedBytes, maxWaiting: options.maxPipelinedRequests },
    isSseRequest,
    () => stats.clientErrors++,
  );
  const server = createServer({ keepAliveTimeout: options.keepAliveTimeoutMs }, handler);
  // Long-polls are held up to maxLongPollTimeoutMs; requestTimeout must stay above that.
  server.requestTimeout = Math.max(server.requestTimeout, options.maxLongPollTimeoutMs + 10_000);
  server.headersTimeout = 60_000;
  server.on('connection', (socket: Socket) => ctx.sockets.track(socket));
  server.on('upgrade', createUpgradeHandler(ctx));
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    stats.clientErrors++;
    if (error.code !== 'ECONNRESET' && socket.writable) {
      socket.end(error.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : BAD_REQUEST);
      // The connection is over, but its read side stays open until the client closes it, and
      // a socket Node paused (pipelined answers ahead of the bad request) would never see
      // that. Give the client time to read the answer, then cut.
      setTimeout(destroySocket, CLIENT_ERROR_LINGER_MS, socket).unref();
    } else {
      socket.destroy();
    }
  });

  await listen(server, options);
  ctx.load.start();
  const timers = startKeepAlives(ctx);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    options,
    metrics: () => metricsSnapshot(ctx),
    close: () => (closing ??= shutdown(server, ctx, timers)),
  };
}

/** How long a connection that sent a malformed request may stay open after its 400 / 431. */
const CLIENT_ERROR_LINGER_MS = 1000;

function destroySocket(socket: Duplex): void {
  socket.destroy();
}

/** Answers to requests Node could not parse (the 'clientError' event). */
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
/** Request line and headers past Node's limit (16 KiB): RFC 6585 §5. */
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

function listen(server: Server, options: ServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const where = `${options.host}:${options.port}`;
      if (error.code === 'EADDRINUSE') {
        reject(rtbError('RTB_ERR_PORT_IN_USE', `port ${options.port} on ${options.host} is already in use; choose another with --port, or --port 0 for a free one`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(rtbError('RTB_ERR_USAGE', `cannot listen on ${options.host}: no such local address`));
      } else if (error.code === 'EACCES') {
        reject(rtbError('RTB_ERR_PORT_IN_USE', `not allowed to listen on ${where}; ports below 1024 need privileges`));
      } else {
        reject(rtbError('RTB_ERR_RUN_FAILED', `cannot listen on ${where}: ${error.message}`, error));
      }
    };
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** One timer each for SSE heartbeats and WebSocket pings, however many connections. */
function startKeepAlives(ctx: ServerContext): NodeJS.Timeout[] {
  const timers: NodeJS.Timeout[] = [];
  if (ctx.options.sseHeartbeatMs > 0) {
    timers.push(setInterval(() => {
      for (const stream of ctx.sseStreams) stream.heartbeat();
    }, ctx.options.sseHeartbeatMs));
  }
  if (ctx.options.wsPingMs > 0) {
    timers.push(setInterval(() => {
      for (const stream of ctx.wsStreams) stream.ping();
    }, ctx.options.wsPingMs));
  }
  for (const timer of timers) timer.unref();
  return timers;
}

async function shutdown(server: Server, ctx: ServerContext, timers: NodeJS.Timeout[]): Promise<void> {
  for (const timer of timers) clearInterval(timer);
  ctx.hub.cancelFanOut();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const waiter of [...ctx.waiters]) waiter.expire();
  for (const stream of [...ctx.sseStreams]) stream.end();
  for (const stream of [...ctx.wsStreams]) stream.close(1001, 'server shutting down');
  server.closeIdleConnections();
  // Give clients a moment to see the ends above, then cut whatever is left.
  const grace = setTimeout(() => {
    server.closeAllConnections();
    for (const socket of ctx.sockets.sockets()) socket.destroy();
  }, 500);
  grace.unref();
  await closed;
  clearTimeout(grace);
  ctx.load.stop();
}
