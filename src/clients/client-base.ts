import type { Socket } from 'node:net';
import { nowUs } from '../clock.js';
import { PublishSender, type PublishOutcome } from '../publisher/publish-sender.js';
import type { ClientEnvironment } from './client-environment.js';
import { DeliveryTracker } from './delivery-tracker.js';

/** What the worker asks of every client, whatever its transport. */
export interface BenchClient {
  readonly index: number;
  readonly topic: string;
  /** True once the client has connected at least once. */
  readonly everConnected: boolean;
  /** What this client received, per publishing stream. */
  readonly tracker: DeliveryTracker;
  /** When the client first connected (µs on the shared monotonic clock), Infinity before. */
  readonly connectedAtUs: number;
  /** Connects (and keeps reconnecting until stopped). */
  start(): void;
  /** Closes everything; no reconnects afterwards. */
  stop(): void;
  /** A fault: closes the client's connections now (FIN or RST); it reconnects as it would after any loss. */
  cut(mode: 'fin' | 'rst'): void;
  /** A slow consumer reads its sockets at most this fast (bytes/s); 0 = as fast as they come. */
  readBytesPerS: number;
  /** rooms: sends one event body upstream on this client's transport; `done` once accepted or refused. */
  publish(body: string, done: (outcome: PublishOutcome) => void): void;
}

/**
 * What every transport shares: connect timing, connection counts, the delivery tracker,
 * stopping, and publishing upstream for rooms — by `POST /publish` on a connection of its
 * own (the subscription holds the other); the WebSocket client overrides that with its socket.
 */
export abstract class ClientBase implements BenchClient {
  readonly index: number;
  readonly topic: string;
  protected readonly env: ClientEnvironment;
  readonly tracker = new DeliveryTracker();
  everConnected = false;
  protected stopped = false;
  #open = false;
  #connectStartUs = 0;
  /** When the client first connected (µs), or Infinity before that. */
  connectedAtUs = Number.POSITIVE_INFINITY;
  #upstream: PublishSender | undefined;
  // The subscription's live TCP connections, for cuts: the newest in #socket, any older one
  // still open (a poller's second socket, a reconnect before the old one closed) in #older.
  // Why not one Set: a client almost always holds one socket, and a Set per client was ~130
  // bytes of the generator's memory per connection (issue 11).
  #socket: Socket | undefined;
  #older: Set<Socket> | undefined;
  /** Reconnect attempts since the last successful connect (the backoff's exponent). */
  #attempt = 0;
  readBytesPerS = 0;

  /**
   * The createConnection of the client's subscription sockets: counted by the meter, and known
   * to cut(). A method, not a bound function per client: a library that wants a callback gets
   * `(options) => this.connectOwn(options)` from the (reference) client that uses it.
   */
  protected connectOwn(options: object): Socket {
    const socket = this.env.connect(options);
    if (this.#socket !== undefined) (this.#older ??= new Set()).add(this.#socket);
    this.#socket = socket;
    (socket as ClientSocket)[kClient] = this;
    socket.once('close', forgetClientSocket);
    // A raw socket reads through `onread` (no 'data' events): raw-socket-reads.ts throttles it.
    if (this.readBytesPerS > 0 && !('onread' in options)) throttleReads(socket, this.readBytesPerS);
    return socket;
  }

  /** A socket of this client closed: cut() no longer reaches it. */
  forget(socket: Socket): void {
    if (this.#socket === socket) this.#socket = undefined;
    else this.#older?.delete(socket);
  }

  constructor(env: ClientEnvironment, index: number, topic: string) {
    this.env = env;
    this.index = index;
    this.topic = topic;
  }

  abstract start(): void;
  /** Closes the transport's own connection and timers (stop() does the rest). */
  protected abstract close(): void;

  stop(): void {
    this.stopped = true;
    this.close();
    void this.#upstream?.close();
    this.closed();
  }

  cut(mode: 'fin' | 'rst'): void {
    const live = [...(this.#older ?? []), ...(this.#socket !== undefined ? [this.#socket] : [])];
    if (this.stopped || live.length === 0) return;
    this.env.metrics.cuts++;
    // Recovery is timed from here to the next event this client receives.
    this.tracker.cutAtUs = nowUs();
    for (const socket of live) {
      // destroy() closes the descriptor (a FIN); resetAndDestroy() sends an RST.
      if (mode === 'rst') socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  /**
   * How long to wait before reconnecting: the scenario's backoff (doubling per failed attempt,
   * spread by its jitter) when it has one, else the transport's usual delay.
   */
  protected reconnectDelayMs(usualMs: number): number {
    const policy = this.env.reconnect;
    if (policy === undefined) return usualMs;
    const baseUs = Math.min(policy.maxUs, policy.delayUs * 2 ** this.#attempt++);
    return (baseUs / 1000) * (1 + policy.jitter * (2 * Math.random() - 1));
  }

  /** A request went through (clients that never "reopen", like pollers): the backoff starts over. */
  protected succeeded(): void {
    this.#attempt = 0;
  }

  publish(body: string, done: (outcome: PublishOutcome) => void): void {
    this.#upstream ??= new PublishSender(this.env.origin, this.env.profile.publish, { connections: 1, pipelining: 8, createSocket: this.env.connect });
    this.env.metrics.publishRequests++;
    this.#upstream.publish(this.topic, 0, body, (outcome) => {
      if (!outcome.ok) this.env.metrics.publishErrors++;
      done(outcome);
    });
  }

  /** Call when a connection attempt begins. */
  protected connecting(): void {
    if (!this.everConnected) this.#connectStartUs = nowUs();
  }

  /** Call when the client is connected (first answer, stream open, socket open). */
  protected opened(atUs: number): void {
    if (this.#open) return;
    this.#open = true;
    this.#attempt = 0;
    this.env.metrics.connected++;
    if (!this.everConnected) {
      this.everConnected = true;
      this.connectedAtUs = atUs;
      this.env.metrics.connect.recordValue(Math.max(0, atUs - this.#connectStartUs));
    } else {
      this.env.metrics.reconnects++;
    }
  }

  /** Call when an open connection is lost (or closed by stop). */
  protected closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.env.metrics.connected--;
  }

  /** Call when an attempt to connect failed before it opened. */
  protected connectFailed(): void {
    this.env.metrics.connectErrors++;
  }
}

const kClient = Symbol('benchClient');
type ClientSocket = Socket & { [kClient]?: ClientBase };

// Shared listener: reaches its client through the socket, not a closure per socket.
function forgetClientSocket(this: ClientSocket): void {
  this[kClient]?.forget(this);
}

/**
 * A slow consumer: after each chunk the socket stops reading for as long as that chunk takes
 * at `bytesPerS`, so the server's writes back up as they would behind a slow reader.
 * (A library reading the same socket may resume it early; the cap is then approximate.)
 */
function throttleReads(socket: Socket, bytesPerS: number): void {
  socket.on('data', (chunk: Buffer) => {
    socket.pause();
    setTimeout(() => socket.resume(), (chunk.length * 1000) / bytesPerS);
  });
}
