import { nowUs } from '../clock.js';
import { Route } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { HttpPoller } from './http-poller.js';

/**
 * Short polling: `GET /poll` every `intervalUs` on a fixed grid that starts at a random
 * phase (so clients do not poll in lockstep). A poll still running when its slot comes is
 * not doubled: the next one goes at the next free slot. The first poll (no cursor) connects.
 *
 * A slot is consumed when its timer fires, not judged by the clock afterwards: Node timers
 * can fire up to a millisecond before the hrtime they aimed at (libuv's cached loop time),
 * and a loopback answer can come back before the slot's nominal time.
 */
export class PollingClient extends HttpPoller {
  readonly #intervalUs: number;
  readonly #phaseUs: number;
  readonly #topicQuery: string;
  #nextUs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, intervalUs: number, phaseFraction: number) {
    super(env, index, topic);
    this.#intervalUs = intervalUs;
    this.#phaseUs = Math.floor(phaseFraction * intervalUs);
    this.#topicQuery = `${Route.poll}?topic=${encodeURIComponent(topic)}`;
  }

  protected override nextPath(): string {
    return this.cursor === undefined ? this.#topicQuery : `${this.#topicQuery}&since=${this.cursor}`;
  }

  protected override scheduleNext(failed: boolean): void {
    if (this.stopped) return;
    const now = nowUs();
    if (this.cursor === undefined) {
      if (failed) this.#timer = setTimeout(connectAgain, 1000, this); // still connecting: retry in 1 s
      return;
    }
    if (this.#nextUs === 0) this.#nextUs = now + this.#phaseUs; // just connected: start the grid
    while (this.#nextUs <= now) this.#nextUs += this.#intervalUs; // skip slots missed while waiting
    this.#timer = setTimeout(pollDue, (this.#nextUs - now) / 1000, this);
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    super.close();
  }

  /** The timer of the slot at #nextUs fired: that slot is used. */
  poll(): void {
    this.#nextUs += this.#intervalUs;
    this.send();
  }

  retryConnect(): void {
    this.send();
  }
}

function pollDue(client: PollingClient): void {
  client.poll();
}

function connectAgain(client: PollingClient): void {
  client.retryConnect();
}
