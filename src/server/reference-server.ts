import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { nowUs } from '../clock.js';
import { rtbError } from '../errors.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { ServerContext } from './context.js';
import { Hub, type Sequencer } from './hub.js';
import { metricsSnapshot } from './metrics-snapshot.js';
import { resolveServerOptions, type ServerOptions } from '../server-options.js';
import { createRequestHandler } from './router.js';
import { newServerStats } from './server-stats.js';
import { SocketAccounting } from '../metrics/socket-bytes.js';
import { createUpgradeHandler } from './routes/ws.js';
import { isSseRequest } from './routes/sse.js';
import { HostOriginPolicy } from './host-origin.js';
import { createPipelineGate } from './pipeline-gate.js';
import { readHandover, writeHandover, type HandoverMode, type HandoverSummary } from './log-handover.js';
import { createCleartextListener, createHttp2Side, createTlsListener } from './protocol-listener.js';
import { loadTlsCredentials, writeHandoverCredentials, type TlsCredentials } from './tls-credentials.js';
import type { ServerHttp2Session } from 'node:http2';
import type { Server as NetServer } from 'node:net';

/** Where a running reference server (one process or several) answers. */
export interface ServerAddress {
  /** `http://host:port`, with IPv6 hosts bracketed: HTTP/1.1 and HTTP/2 (h2c, prior knowledge). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** `https://host:tlsPort` when the server has a TLS port (options.tlsPort). */
  readonly tlsUrl?: string;
  readonly tlsPort?: number;
  /** The TLS port's certificate (PEM): generated at start unless certFile/keyFile were given. */
  readonly tlsCert?: string;
}

export interface ReferenceServer extends ServerAddress {
  readonly options: ServerOptions;
  metrics(): ServerMetrics;
  /** Ends streams and held requests, stops listening, and resolves when every socket is gone. */
  close(): Promise<void>;
  /** After close(): writes the topic logs for the next server on this port (the restart fault; log-handover.ts). */
  handOver(mode: HandoverMode, file: string): HandoverSummary;
}

/** How a server starts beyond its options: `handoverFile`, a previous server's logs to continue from. */
export interface StartOptions {
  readonly handoverFile?: string;
  /** A worker of a multi-process server (cluster-worker.ts): the primary's TLS credentials, so every worker presents one certificate. */
  readonly credentials?: TlsCredentials;
  /** …the primary's numbering of events (Hub.submit / appendSequenced). */
  readonly sequencer?: Sequencer;
  /** …and `/metrics` answered for every process (ServerContext.clusterMetrics). */
  readonly clusterMetrics?: () => Promise<ServerMetrics>;
}

/** Starts the reference server (DESIGN §2) and resolves once it listens. */
export async function startReferenceServer(partial: Partial<ServerOptions> = {}, start: StartOptions = {}): Promise<ReferenceServer> {
  const options = resolveServerOptions(partial);
  const stats = newServerStats();
  const ctx: ServerContext = {
    options,
    stats,
    hub: new Hub(options, stats, start.sequencer),
    sockets: new SocketAccounting(),
    load: new ProcessLoadSampler(),
    startedAtUs: nowUs(),
    access: new HostOriginPolicy(options),
    sseStreams: new Set(),
    wsStreams: new Set(),
    waiters: new Set(),
    ...(start.clusterMetrics !== undefined ? { clusterMetrics: start.clusterMetrics } : {}),
  };

  const handler = createPipelineGate(
    createRequestHandler(ctx),
    { maxQueuedBytes: options.maxBufferedBytes, maxWaiting: options.maxPipelinedRequests },
    isSseRequest,
    () => stats.clientErrors++,
  );
  // Read (or generated) before anything listens: a bad --cert/--key is one line, not a half-started server.
  const credentials = options.tlsPort !== undefined ? (start.credentials ?? (await loadTlsCredentials(options))) : undefined;
  const server = createServer({ keepAliveTimeout: options.keepAliveTimeoutMs }, handler);
  // Long-polls are held up to maxLongPollTimeoutMs; requestTimeout must stay above that.
  server.requestTimeout = Math.max(server.requestTimeout, options.maxLongPollTimeoutMs + 10_000);
  server.headersTimeout = 60_000;
  server.on('upgrade', createUpgradeHandler(ctx));
  // HTTP/2 streams skip the pipeline gate: HTTP/2 has no pipelining, each stream is answered on its own.
  const h2Sessions = new Set<ServerHttp2Session>();
  const h2 = createHttp2Side(createRequestHandler(ctx), h2Sessions);
  // The listeners count each accepted TCP socket (ctx.sockets) and hand it to HTTP/1.1 or HTTP/2.
  const listeners: NetServer[] = [createCleartextListener(server, h2, ctx.sockets)];
  if (credentials !== undefined) listeners.push(createTlsListener(server, h2, credentials, ctx.sockets, () => stats.clientErrors++));
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

  if (start.handoverFile !== undefined) await readHandover(ctx.hub, start.handoverFile);
  // Numbered events that arrived while the logs loaded are logged now, before anyone is served.
  start.sequencer?.bind(ctx.hub);
  await listen(listeners[0], options);
  if (listeners[1] !== undefined) {
    try {
      await listen(listeners[1], { ...options, port: options.tlsPort! });
    } catch (error) {
      listeners[0].close();
      throw error;
    }
  }
  ctx.load.start();
  const timers = startKeepAlives(ctx);
  const portOf = (listener: NetServer): number => {
    const address = listener.address();
    return typeof address === 'object' && address !== null ? address.port : options.port;
  };
  const port = portOf(listeners[0]);
  const host = options.host;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostPart}:${port}`;
  const tlsPort = listeners[1] !== undefined ? portOf(listeners[1]) : undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    ...(tlsPort !== undefined ? { tlsUrl: `https://${hostPart}:${tlsPort}`, tlsPort, tlsCert: credentials!.cert } : {}),
    options,
    metrics: () => metricsSnapshot(ctx),
    close: () => (closing ??= shutdown(server, listeners, h2Sessions, ctx, timers)),
    handOver: (mode, file) => {
      // The certificate goes with the logs (into the restart's private folder): the next server
      // presents the same one, so TLS clients that trusted a generated one reconnect.
      if (credentials !== undefined) writeHandoverCredentials(file, credentials);
      return writeHandover(ctx.hub, mode, file);
    },
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

function listen(server: NetServer, options: ServerOptions): Promise<void> {
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

async function shutdown(server: Server, listeners: NetServer[], h2Sessions: Set<ServerHttp2Session>, ctx: ServerContext, timers: NodeJS.Timeout[]): Promise<void> {
  for (const timer of timers) clearInterval(timer);
  ctx.hub.cancelFanOut();
  // The HTTP/1.1 server never listened itself (the listeners hand it connections): its close only ends idle ones.
  server.close();
  const closed = Promise.all(listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
  for (const waiter of [...ctx.waiters]) waiter.expire();
  for (const stream of [...ctx.sseStreams]) stream.end();
  for (const stream of [...ctx.wsStreams]) stream.close(1001, 'server shutting down');
  server.closeIdleConnections();
  for (const session of h2Sessions) session.close();
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
