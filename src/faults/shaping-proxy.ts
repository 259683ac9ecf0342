import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { nowUs } from '../clock.js';

/** A link between the clients and the server: added one-way delay, its jitter, a bandwidth cap. */
export interface LinkShape {
  /** Added to every chunk, each direction (µs). */
  readonly latencyUs: number;
  /** Each chunk's delay is spread uniformly by ± this (µs); order is always kept. */
  readonly jitterUs: number;
  /** Bits per second each direction of each connection may carry; 0 = unlimited. */
  readonly bandwidthBps: number;
}

/**
 * A TCP proxy on loopback that shapes every connection through it like a real link (DESIGN
 * §7): the kernel's netem is not available everywhere, so rtbench does it in user space.
 * Each direction of each connection is a queue of chunks, each released at
 * max(arrival + delay ± jitter, when the previous one finished at the capped rate), in order.
 * Back-pressure is kept: a direction with more than `MAX_QUEUED_BYTES` waiting pauses its
 * source socket until it drains, so no queue grows without bound.
 */
export class ShapingProxy {
  readonly #shape: LinkShape;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(shape: LinkShape, upstreamHost: string, upstreamPort: number) {
    this.#shape = shape;
    // Half-open: a FIN from one side is passed on only after what was queued before it.
    this.#server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => this.#accept(client, upstreamHost, upstreamPort));
  }

  /** Listens on 127.0.0.1, on a free port, in front of `upstreamUrl`. */
  static async start(upstreamUrl: string, shape: LinkShape): Promise<ShapingProxy> {
    const url = new URL(upstreamUrl);
    const proxy = new ShapingProxy(shape, url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80));
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.#port = (proxy.#server.address() as { port: number }).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port, noDelay: true, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
    }
    new ShapedDirection(client, upstream, this.#shape);
    new ShapedDirection(upstream, client, this.#shape);
  }
}

/** A source socket's waiting bytes past which it is paused. */
const MAX_QUEUED_BYTES = 1024 * 1024;

/** One direction of one connection: chunks from `from` written to `to` at their release times. */
class ShapedDirection {
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #shape: LinkShape;
  readonly #chunks: Buffer[] = [];
  readonly #releaseUs: number[] = [];
  #queuedBytes = 0;
  /** When the link is free again (the last chunk's release at the capped rate). */
  #freeAtUs = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The source sent its FIN: pass it on once the queue is empty. */
  #ended = false;

  constructor(from: Socket, to: Socket, shape: LinkShape) {
    this.#from = from;
    this.#to = to;
    this.#shape = shape;
    from.on('data', (chunk: Buffer) => this.#arrive(chunk));
    from.once('end', () => {
      this.#ended = true;
      if (this.#chunks.length === 0) to.end();
    });
    // A reset (or any error) is passed on at once, as a reset: an RST stays an RST.
    from.once('close', (hadError) => {
      if (!hadError) return;
      clearTimeout(this.#timer);
      this.#chunks.length = 0;
      this.#releaseUs.length = 0;
      to.resetAndDestroy();
    });
  }

  #arrive(chunk: Buffer): void {
    const { latencyUs, jitterUs, bandwidthBps } = this.#shape;
    const now = nowUs();
    const delayed = now + latencyUs + (jitterUs > 0 ? (2 * Math.random() - 1) * jitterUs : 0);
    // In order: never before the previous chunk; at the capped rate, after it has gone through.
    const previous = this.#releaseUs.length > 0 ? this.#releaseUs[this.#releaseUs.length - 1] : 0;
    const transmitUs = bandwidthBps > 0 ? (chunk.length * 8 * 1e6) / bandwidthBps : 0;
    const start = Math.max(delayed, previous, this.#freeAtUs);
    this.#freeAtUs = start + transmitUs;
    this.#chunks.push(chunk);
    this.#releaseUs.push(start + transmitUs);
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes > MAX_QUEUED_BYTES) this.#from.pause();
    if (this.#chunks.length === 1) this.#schedule();
  }

  #schedule(): void {
    if (this.#chunks.length === 0) return;
    this.#timer = setTimeout(() => this.#release(), Math.max(0, (this.#releaseUs[0] - nowUs()) / 1000));
  }

  #release(): void {
    const now = nowUs();
    // Timers fire on whole milliseconds: release everything due within the next one together.
    while (this.#chunks.length > 0 && this.#releaseUs[0] <= now + 500) {
      const chunk = this.#chunks.shift()!;
      this.#releaseUs.shift();
      this.#queuedBytes -= chunk.length;
      if (!this.#to.destroyed) this.#to.write(chunk);
    }
    if (this.#queuedBytes <= MAX_QUEUED_BYTES && this.#from.isPaused()) this.#from.resume();
    if (this.#chunks.length === 0 && this.#ended) this.#to.end();
    this.#schedule();
  }
}
