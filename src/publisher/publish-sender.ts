import { connect as netConnect, type Socket } from 'node:net';
import { Client } from 'undici';
import { Route } from '../protocol/routes.js';

/** How a sender opens its TCP connections: the default, or a client worker's metered one. */
export type SocketFactory = (options: { host: string; port: number }) => Socket;

export interface PublishSenderOptions {
  /** Keep-alive connections; each topic always uses the same one. */
  readonly connections: number;
  /** Publishes in flight per connection (HTTP/1.1 pipelining). */
  readonly pipelining: number;
  readonly createSocket?: SocketFactory;
}

/**
 * Sends publish bodies with `POST /publish` over a few keep-alive connections, pipelined.
 *
 * Order: a topic's events always take the same connection, and an HTTP/1.1 server reads and
 * answers pipelined requests in order, so they reach the server in the order published —
 * concurrent requests over different sockets could be reordered, and receivers would count
 * reordering the transport did not cause.
 * Throughput: with one request in flight per topic, a publish would wait for the previous
 * one's answer, which waits for that event's fan-out (1000 subscribers ≈ 3 ms): the publisher,
 * not the server, would set the ceiling. Pipelining removes that round trip. undici is told
 * the POSTs are `idempotent` so it pipelines them; it never retries them (nothing here asks
 * it to), so a publish is sent at most once.
 */
export class PublishSender {
  readonly #clients: Client[];
  #pending = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(targetUrl: string, options: PublishSenderOptions) {
    const createSocket = options.createSocket;
    this.#clients = Array.from(
      { length: Math.max(1, options.connections) },
      () =>
        new Client(targetUrl, {
          pipelining: options.pipelining,
          keepAliveTimeout: 60_000,
          ...(createSocket
            ? {
                connect: (opts, callback) => {
                  const socket = createSocket({ host: opts.hostname.replace(/^\[|\]$/g, ''), port: Number(opts.port) || 80 });
                  const onError = (error: Error): void => callback(error, null);
                  socket.once('error', onError);
                  socket.once('connect', () => {
                    socket.off('error', onError);
                    callback(null, socket);
                  });
                },
              }
            : {}),
        }),
    );
  }

  /** Publishes not yet answered. */
  get pending(): number {
    return this.#pending;
  }

  /** Sends one publish on the topic's connection; `done(ok)` once the server has answered (ok = 200). */
  publish(topic: string, topicIndex: number, body: string, done: (ok: boolean) => void): void {
    const client = this.#clients[topicIndex % this.#clients.length];
    this.#pending++;
    client
      .request({
        path: `${Route.publish}?topic=${encodeURIComponent(topic)}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        idempotent: true,
      })
      .then(
        async ({ statusCode, body: answer }) => {
          await answer.dump();
          return statusCode === 200;
        },
        () => false,
      )
      .then((ok) => {
        this.#pending--;
        done(ok);
        if (this.#pending === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
      });
  }

  /** Resolves when every publish has been answered. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Closes the connections (abruptly: call after idle() for a clean end). */
  async close(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.destroy().catch(() => {})));
  }
}

/** The default socket factory: a plain TCP connection with Nagle off. */
export function plainSocket(options: { host: string; port: number }): Socket {
  const socket = netConnect(options);
  socket.setNoDelay(true);
  return socket;
}
