import type { Socket } from 'node:net';
import { Client, type Dispatcher } from 'undici';
import type { PublishSpec } from '../profiles/profile-types.js';
import { httpDate, renderTemplate } from '../profiles/template.js';
import { stripBrackets } from '../protocol/host.js';

/** How a sender opens its TCP connections: the default, or a client worker's metered one. */
export type SocketFactory = (options: { host: string; port: number }) => Socket;

export interface PublishSenderOptions {
  /** Keep-alive connections; each topic always uses the same one. */
  readonly connections: number;
  /** Publishes in flight per connection (HTTP/1.1 pipelining). */
  readonly pipelining: number;
  readonly createSocket?: SocketFactory;
}

/** How one publish ended: accepted (a status the profile lists), refused (another status), or no answer. */
export interface PublishOutcome {
  readonly ok: boolean;
  /** The HTTP status, or 0 when the request failed without one. */
  readonly status: number;
}

/**
 * One publish's answer, read through undici's dispatch handler: the status, the body dropped
 * as it comes. Why not `client.request()`: it builds a body stream, an abort signal and two
 * promises per publish, which at tens of publishes per second (too few for V8 to optimise
 * them) were most of the main thread's CPU (measured: ~0.7 ms per publish).
 */
class PublishAnswer implements Dispatcher.DispatchHandlers {
  #status = 0;
  #done: ((outcome: PublishOutcome) => void) | undefined;

  constructor(
    readonly accepted: readonly number[],
    done: (outcome: PublishOutcome) => void,
  ) {
    this.#done = done;
  }

  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.#status = statusCode;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.#end({ ok: this.accepted.includes(this.#status), status: this.#status });
  }
  onError(): void {
    // No answer: unanswered (undici never retries it here). A connection lost in the middle of
    // the answer's body still leaves the status the server gave: it took the publish.
    this.#end(this.#status === 0 ? UNANSWERED : { ok: this.accepted.includes(this.#status), status: this.#status });
  }

  /** Once only: an error after the headers must not answer twice. */
  #end(outcome: PublishOutcome): void {
    const done = this.#done;
    this.#done = undefined;
    done?.(outcome);
  }
}

const UNANSWERED: PublishOutcome = { ok: false, status: 0 };

/**
 * Sends publishes as the profile's `publish` section describes (method, URL, headers, body
 * template, accepted statuses) over a few keep-alive connections, pipelined.
 *
 * Order: a topic's events always take the same connection, and an HTTP/1.1 server reads and
 * answers pipelined requests in order, so they reach the server in the order published —
 * concurrent requests over different sockets could be reordered, and receivers would count
 * reordering the transport did not cause.
 * Throughput: with one request in flight per topic, a publish would wait for the previous
 * one's answer, which waits for that event's fan-out (1000 subscribers ≈ 3 ms): the publisher,
 * not the server, would set the ceiling. Pipelining removes that round trip. undici is told
 * the requests are `idempotent` so it pipelines them; it never retries them (nothing here asks
 * it to), so a publish is sent at most once.
 */
export class PublishSender {
  readonly #clients: Client[];
  readonly #spec: PublishSpec;
  readonly #bodyIsEvent: boolean;
  readonly #headersUseDate: boolean;
  #pending = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(targetUrl: string, spec: PublishSpec, options: PublishSenderOptions) {
    this.#spec = spec;
    const b = spec.body.parts;
    this.#bodyIsEvent = b.length === 3 && b[0] === '' && b[1] === 'event' && b[2] === '';
    this.#headersUseDate = spec.headers.some((h) => h.value.names.includes('now.httpdate'));
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
                  const socket = createSocket({ host: stripBrackets(opts.hostname), port: Number(opts.port) || 80 });
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

  /** Sends one publish on the topic's connection; `done` once the server has answered. */
  publish(topic: string, topicIndex: number, event: string, done: (outcome: PublishOutcome) => void): void {
    const client = this.#clients[topicIndex % this.#clients.length];
    const spec = this.#spec;
    const vars: Record<string, string> = { topic: encodeURIComponent(topic), event, 'event|json': JSON.stringify(event) };
    if (this.#headersUseDate) vars['now.httpdate'] = httpDate();
    const headers: Record<string, string> = {};
    for (const h of spec.headers) headers[h.name.toLowerCase()] = renderTemplate(h.value, vars);
    this.#pending++;
    client.dispatch(
      {
        path: renderTemplate(spec.url, vars),
        method: spec.method as 'POST',
        headers,
        body: this.#bodyIsEvent ? event : renderTemplate(spec.body, vars),
        idempotent: true,
      },
      new PublishAnswer(spec.accepted, (outcome) => {
        this.#pending--;
        done(outcome);
        if (this.#pending === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
      }),
    );
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

