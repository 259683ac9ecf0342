import { DEFAULT_LONG_POLL_TIMEOUT_MS, DEFAULT_SSE_RETRY_MS } from './protocol/routes.js';

/** Everything the reference server can be told. Units are in the names. */
export interface ServerOptions {
  /** Interface to bind. Loopback by default: rtbench never listens on the network unless told. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Events kept per topic; older ones are evicted and a cursor behind them gets a gap. */
  readonly ringCapacity: number;
  /**
   * Bytes of events kept per topic, counted as each event's SSE frame (which holds its JSON)
   * plus a fixed per-event overhead; past it the oldest events are evicted like those past
   * ringCapacity. The newest event is always kept.
   */
  readonly ringBytes: number;
  /** Bytes of events kept across all topics together (counted as ringBytes); past it the oldest events of the whole server go first. */
  readonly maxLogBytes: number;
  /** Most topics the server will hold; a request naming one more gets 429. */
  readonly maxTopics: number;
  /** Largest publish body (HTTP or WebSocket frame); larger gets 413 / close 1009. */
  readonly maxBodyBytes: number;
  /** `/long-poll` hold when the request gives no `timeout`. */
  readonly longPollTimeoutMs: number;
  /** Largest `timeout` a long-poll may ask for; kept below Node's request timeout. */
  readonly maxLongPollTimeoutMs: number;
  /** `retry:` sent once on each SSE stream. */
  readonly sseRetryMs: number;
  /** Comment heartbeat on SSE streams; 0 disables. */
  readonly sseHeartbeatMs: number;
  /** WebSocket ping interval; a client that misses one pong is terminated. 0 disables. */
  readonly wsPingMs: number;
  /** Offer permessage-deflate to WebSocket clients that ask for it. */
  readonly wsPerMessageDeflate: boolean;
  /**
   * A streaming connection with more unsent bytes than this is closed as a slow consumer.
   * Also the most answer bytes one connection may have queued before the server stops
   * answering its further pipelined requests until the client reads.
   */
  readonly maxBufferedBytes: number;
  /**
   * Requests one connection may have waiting behind its unanswered ones (HTTP/1.1
   * pipelining); one more closes the connection. Browsers and rtbench do not pipeline.
   */
  readonly maxPipelinedRequests: number;
  /**
   * Host names a loopback-bound server answers besides loopback ones (localhost,
   * 127.0.0.0/8, ::1) and the bound address; any other `Host` gets 421, so a page on a
   * DNS-rebound name cannot reach the server. `'*'` answers any Host. A server bound to a
   * network address answers any Host.
   */
  readonly allowedHosts: readonly string[];
  /**
   * Origins (`scheme://host[:port]`) allowed to publish and open WebSockets besides the
   * server's own; any other browser `Origin` gets 403. `'*'` allows every page. Requests
   * without an Origin (non-browser clients) are always allowed.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * Idle time before the server closes a keep-alive connection. Node's default (5 s) would
   * make pollers slower than 5 s reconnect on every poll; browsers keep connections longer.
   */
  readonly keepAliveTimeoutMs: number;
  /** Fault injection: hold every publish this long before it is logged and fanned out. */
  readonly publishDelayMs: number;
  /**
   * A second port serving the same routes over TLS (ALPN h2 and http/1.1, WebSocket as wss);
   * 0 picks a free one; undefined: no TLS port. The cleartext port speaks HTTP/1.1 and h2c.
   */
  readonly tlsPort?: number;
  /** PEM certificate and key for the TLS port (both or neither); neither: a self-signed certificate generated at start. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /**
   * Processes serving the clients (1 to 64); undefined or 1: this one process, as always. More:
   * a node:cluster primary that forks this many workers sharing the port(s) and numbers every
   * topic's events itself (cluster-primary.ts), so one box holds more connections than one
   * process's open-file limit.
   */
  readonly processes?: number;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  ringCapacity: 10_000,
  ringBytes: 64 * 1024 * 1024,
  maxLogBytes: 256 * 1024 * 1024,
  maxTopics: 100_000,
  maxBodyBytes: 1024 * 1024,
  longPollTimeoutMs: DEFAULT_LONG_POLL_TIMEOUT_MS,
  maxLongPollTimeoutMs: 120_000,
  sseRetryMs: DEFAULT_SSE_RETRY_MS,
  sseHeartbeatMs: 15_000,
  wsPingMs: 30_000,
  wsPerMessageDeflate: false,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPipelinedRequests: 1024,
  allowedHosts: Object.freeze([]),
  allowedOrigins: Object.freeze([]),
  keepAliveTimeoutMs: 65_000,
  publishDelayMs: 0,
});

export function resolveServerOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...DEFAULT_SERVER_OPTIONS, ...defined });
}
