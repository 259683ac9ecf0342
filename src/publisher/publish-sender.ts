import { request, type Agent } from 'node:http';
import { Route } from '../protocol/routes.js';

export interface PublishOutcome {
  ok: boolean;
  /** Server-assigned id when ok. */
  id?: number;
}

/**
 * Sends publish bodies with `POST /publish`, keeping each topic's events in order: a topic
 * has at most one request in flight and later events wait behind it. (Concurrent requests
 * over different sockets may reach the server in another order, and the receivers would
 * count that as reordering the transport did not cause.)
 */
export class PublishSender {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #queues = new Map<string, { body: string; done: (outcome: PublishOutcome) => void; sent: (atUs: number) => void }[]>();
  readonly #now: () => number;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  /** `agent` decides how many sockets publishes may use (and, for clients, counts their bytes). */
  constructor(targetUrl: string, agent: Agent, now: () => number) {
    const url = new URL(targetUrl);
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
    this.#agent = agent;
    this.#now = now;
  }

  /** Requests not yet answered, queued ones included. */
  get pending(): number {
    let queued = 0;
    for (const q of this.#queues.values()) queued += q.length;
    return queued;
  }

  /**
   * Queues one publish. `sent` is called with the clock when its request is written (for
   * publisher lag), `done` with the outcome.
   */
  publish(topic: string, body: string, sent: (atUs: number) => void, done: (outcome: PublishOutcome) => void): void {
    let queue = this.#queues.get(topic);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(topic, queue);
    }
    queue.push({ body, done, sent });
    if (queue.length === 1) this.#sendHead(topic, queue);
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#agent.destroy();
  }

  #sendHead(topic: string, queue: { body: string; done: (o: PublishOutcome) => void; sent: (atUs: number) => void }[]): void {
    const item = queue[0];
    this.#inFlight++;
    let finished = false;
    const finish = (outcome: PublishOutcome): void => {
      if (finished) return;
      finished = true;
      this.#inFlight--;
      queue.shift();
      item.done(outcome);
      if (queue.length > 0) this.#sendHead(topic, queue);
      else if (this.#inFlight === 0 && this.pending === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    };
    const req = request(
      {
        agent: this.#agent,
        host: this.#host,
        port: this.#port,
        method: 'POST',
        path: `${Route.publish}?topic=${encodeURIComponent(topic)}`,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(item.body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return finish({ ok: false });
          const id = /"id"\s*:\s*(\d+)/.exec(text);
          finish({ ok: true, ...(id ? { id: Number(id[1]) } : {}) });
        });
        res.on('error', () => finish({ ok: false }));
      },
    );
    req.on('error', () => finish({ ok: false }));
    req.end(item.body);
    item.sent(this.#now());
  }
}
