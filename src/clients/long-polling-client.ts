import { Route } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { HttpPoller } from './http-poller.js';

/**
 * Long polling: `GET /long-poll?since=C&timeout=T`, re-sent as soon as each answer
 * arrives. The first request asks with `timeout=0` (answered at once with the head), which
 * connects the client without waiting for an event.
 */
export class LongPollingClient extends HttpPoller {
  readonly #base: string;
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, timeoutMs: number) {
    super(env, index, topic);
    this.#base = `${Route.longPoll}?topic=${encodeURIComponent(topic)}`;
    this.#timeoutMs = timeoutMs;
  }

  protected override nextPath(): string {
    return this.cursor === undefined ? `${this.#base}&timeout=0` : `${this.#base}&since=${this.cursor}&timeout=${this.#timeoutMs}`;
  }

  protected override scheduleNext(failed: boolean): void {
    if (this.stopped) return;
    if (failed) this.#timer = setTimeout(resend, 1000, this); // back off 1 s after an error
    else this.send();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    super.close();
  }

  resend(): void {
    this.send();
  }
}

function resend(client: LongPollingClient): void {
  client.resend();
}
