import { EventSource } from 'eventsource';
import { nowUs } from '../clock.js';
import type { SseSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { meteredFetch } from './metered-fetch.js';
import { renderHeaders, topicVars } from './request-parts.js';

/**
 * The reference SSE client (`--sse-client eventsource`): the eventsource package, which
 * reconnects with Last-Event-ID on its own. Slower than the fast client (a string and a
 * Buffer per event) and blind to comments, so server gap markers are not counted.
 */
export class EventSourceClient extends ClientBase {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  #source: EventSource | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: SseSpec) {
    super(env, index, topic);
    const vars = topicVars(topic);
    this.#url = `${env.origin}${renderTemplate(spec.url, vars)}`;
    this.#headers = renderHeaders(spec.headers, vars);
  }

  override start(): void {
    this.connecting();
    const fetch = meteredFetch(this.env);
    const headers = this.#headers;
    const source = new EventSource(this.#url, {
      fetch: (input, init) => {
        const merged = new Headers(init?.headers);
        for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value);
        return fetch(input, { ...init, headers: merged });
      },
    });
    source.onopen = () => this.opened(nowUs());
    source.onerror = () => {
      if (!this.everConnected) this.connectFailed();
      this.closed();
    };
    source.onmessage = (message) => {
      const receiveUs = nowUs();
      const bytes = Buffer.from(message.data);
      this.env.reader.read(this.tracker, bytes, 0, bytes.length, receiveUs);
    };
    this.#source = source;
  }

  protected override close(): void {
    this.#source?.close();
  }

}
