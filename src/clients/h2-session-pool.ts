import { EventEmitter } from 'node:events';
import { connect as h2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import { createConnection, type Socket } from 'node:net';
import type { ClientRequest } from 'node:http';
import type { SocketAccounting } from '../metrics/socket-bytes.js';
import { secureOver, type ClientTls } from './tls-connect.js';

/**
 * HTTP/2 for the HTTP transports (polling, long polling, SSE), on node:http2.
 *
 * Why node:http2 and not undici: undici's HTTP/2 client (allowH2) has been reported to throw
 * an uncaught AssertionError from its session bookkeeping (`assert(!this.aborted)`,
 * `assert(client[kPending] === 0)`, nodejs/undici#2808) when many streams are open or cut,
 * which is exactly an SSE or long-poll phase; undici 6 also marks its HTTP/2 experimental
 * (a warning on first use) and speaks it only over TLS (no h2c with prior knowledge, which
 * half the HTTP/2 phases use). Measured here (docs/http2.md): 1000 SSE streams on 10 TLS
 * connections, half of them cancelled mid-run — node:http2 and undici 6.29 both delivered
 * every event and neither crashed, so the choice rests on h2c, the reported assertion and
 * node:http2 being nghttp2 (curl's and nginx's HTTP/2 library). node:http2 also takes a TCP
 * socket rtbench counts, so bytes are what crossed the wire: frame headers, HPACK blocks
 * and, over TLS, records.
 *
 * Subscribers share connections as a browser does: client i rides on lane ⌊i / N⌋ (N =
 * streamsPerConnection), one session per lane, opened on first use and again after it
 * closed. The server's SETTINGS_MAX_CONCURRENT_STREAMS still applies: streams past it wait
 * in node:http2's queue.
 */
export class H2SessionPool {
  readonly #target: PoolTarget;
  readonly #streamsPerConnection: number;
  readonly #lanes = new Map<number, ClientHttp2Session>();
  /** Sessions opened, ever (the first per lane is a connect, later ones reconnects). */
  sessionsOpened = 0;

  constructor(target: PoolTarget, streamsPerConnection: number) {
    this.#target = target;
    this.#streamsPerConnection = streamsPerConnection;
  }

  /** Open sessions now. */
  get openSessions(): number {
    return this.#lanes.size;
  }

  /**
   * A GET (or `method`) on client `index`'s session. The answer stands in for node:http's
   * (see H2Request): the clients drive both through the same few members.
   */
  request(index: number, path: string, headers: Record<string, string>, method = 'GET'): ClientRequest {
    const exchange = new H2Request();
    let stream: ClientHttp2Stream;
    try {
      stream = this.#session(index).request({ ...lowerCased(headers), ':method': method, ':path': path }, { endStream: method === 'GET' || method === 'HEAD' });
    } catch (error) {
      // A session closing under us refuses new streams synchronously: report it as a failed request.
      process.nextTick(() => exchange.emit('error', error));
      return exchange as unknown as ClientRequest;
    }
    exchange.attach(stream);
    // The stand-in has the members the clients use: on('response' | 'error'), end(), destroy().
    return exchange as unknown as ClientRequest;
  }

  /** Closes every session (the worker is stopping). */
  close(): void {
    for (const session of this.#lanes.values()) session.destroy();
    this.#lanes.clear();
  }

  #session(index: number): ClientHttp2Session {
    const lane = Math.floor(index / this.#streamsPerConnection);
    const existing = this.#lanes.get(lane);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const target = this.#target;
    const tls = target.tls;
    const authority = `${tls !== undefined ? 'https' : 'http'}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const session = h2Connect(authority, {
      createConnection: () => {
        const tcp: Socket = createConnection({ host: target.host, port: target.port });
        tcp.setNoDelay(true);
        target.sockets.track(tcp);
        return tls !== undefined ? secureOver(tcp, target.host, tls, H2_ALPN) : tcp;
      },
      // A stream window large enough that a burst on one SSE stream is not held back by WINDOW_UPDATE round trips.
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW_BYTES },
    });
    this.sessionsOpened++;
    session.on('error', ignore); // each stream sees its own error; the lane opens a new session on next use
    session.once('connect', onConnect);
    session.once('close', () => {
      if (this.#lanes.get(lane) === session) this.#lanes.delete(lane);
    });
    this.#lanes.set(lane, session);
    return session;
  }
}

/** What the pool needs of its ClientEnvironment. */
export interface PoolTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: ClientTls | undefined;
  readonly sockets: SocketAccounting;
}

const H2_ALPN = ['h2'] as const;
/** Per-stream flow-control window (HTTP/2's default is 65,535 bytes). */
const STREAM_WINDOW_BYTES = 1024 * 1024;
/** Connection flow-control window: room for every stream of a session at once. */
const SESSION_WINDOW_BYTES = 64 * 1024 * 1024;

function onConnect(this: ClientHttp2Session): void {
  this.setLocalWindowSize(SESSION_WINDOW_BYTES);
}

function ignore(): void {}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    // Connection-specific headers are forbidden in HTTP/2 (RFC 9113 §8.2.2); Host becomes :authority.
    if (lower === 'connection' || lower === 'keep-alive' || lower === 'transfer-encoding' || lower === 'upgrade' || lower === 'host') continue;
    out[lower] = value;
  }
  return out;
}

/**
 * One HTTP/2 request, standing in for node:http's ClientRequest: 'response' with the stream
 * itself as the answer (given `statusCode` and `headers` like an IncomingMessage: it emits
 * 'data', 'end', 'close' and 'error', and pauses and resumes), 'error' when the stream fails
 * before its answer; `destroy()` cancels it (RST_STREAM CANCEL).
 */
class H2Request extends EventEmitter {
  #stream: ClientHttp2Stream | undefined;
  #answered = false;

  attach(stream: ClientHttp2Stream): void {
    this.#stream = stream;
    (stream as OwnedStream)[kRequest] = this;
    stream.on('response', onStreamResponse);
    stream.on('error', onStreamError);
  }

  end(): void {}

  destroy(): void {
    const stream = this.#stream;
    if (stream !== undefined && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
  }

  answered(stream: ClientHttp2Stream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    this.#answered = true;
    const answer = stream as H2Answer;
    answer.statusCode = headers[':status'] ?? 0;
    answer.headers = headers;
    this.emit('response', answer);
  }

  failed(error: Error): void {
    if (!this.#answered) this.emit('error', error);
  }
}

const kRequest = Symbol('h2Request');
type OwnedStream = ClientHttp2Stream & { [kRequest]?: H2Request };
type H2Answer = ClientHttp2Stream & { statusCode: number; headers: IncomingHttpHeaders };

// Shared listeners reach their request through the stream, not a closure per request.
function onStreamResponse(this: OwnedStream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
  this[kRequest]!.answered(this, headers);
}
function onStreamError(this: OwnedStream, error: Error): void {
  this[kRequest]!.failed(error);
}
