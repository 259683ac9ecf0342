import { EventSource } from 'eventsource';
import { nowUs } from '../clock.js';
import { originKey } from '../protocol/event.js';
import { Route } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { meteredFetch } from './metered-fetch.js';

/**
 * The reference SSE client (`--sse-client eventsource`): the eventsource package, which
 * reconnects with Last-Event-ID on its own. Slower than the fast client (a string and a
 * JSON.parse per event) and blind to comments, so server gap markers are not counted.
 */
export class EventSourceClient extends ClientBase {
  readonly #url: string;
  #source: EventSource | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string) {
    super(env, index, topic);
    this.#url = `${env.origin}${Route.sse}?topic=${encodeURIComponent(topic)}`;
  }

  override start(): void {
    this.connecting();
    const source = new EventSource(this.#url, { fetch: meteredFetch(this.env) });
    source.onopen = () => this.opened(nowUs());
    source.onerror = () => {
      if (!this.everConnected) this.connectFailed();
      this.closed();
    };
    source.onmessage = (message) => {
      const receiveUs = nowUs();
      let event: { origin?: unknown; seq?: unknown; ts?: unknown };
      try {
        event = JSON.parse(message.data) as typeof event;
      } catch {
        this.env.metrics.protocolErrors++;
        return;
      }
      const key = typeof event.origin === 'string' ? originKey(event.origin) : NaN;
      if (key !== key || typeof event.seq !== 'number' || typeof event.ts !== 'number') return;
      this.env.metrics.deliver(this.tracker, key, event.seq, event.ts, receiveUs);
    };
    this.#source = source;
  }

  protected override close(): void {
    this.#source?.close();
  }

}
