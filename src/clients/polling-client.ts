import { nowUs } from '../clock.js';
import type { PollSpec } from '../profiles/profile-types.js';
import type { ClientEnvironment } from './client-environment.js';
import { Answer, HttpPoller } from './http-poller.js';

/**
 * Short polling: a GET every `intervalUs` on a fixed grid that starts at a random phase (so
 * clients do not poll in lockstep). A poll still running when its slot comes is not
 * doubled: the next one goes at the next free slot. The first poll (no cursor) connects.
 * With `drain`, an answer that carried a message is followed at once by another poll
 * (servers that answer one message at a time); the grid resumes after an empty answer.
 *
 * A slot is consumed when its timer fires, not judged by the clock afterwards: Node timers
 * can fire up to a millisecond before the hrtime they aimed at (libuv's cached loop time),
 * and a loopback answer can come back before the slot's nominal time.
 */
export class PollingClient extends HttpPoller {
  readonly #intervalUs: number;
  readonly #phaseUs: number;
  #nextUs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, intervalUs: number, phaseFraction: number) {
    super(env, index, topic, spec);
    this.#intervalUs = intervalUs;
    this.#phaseUs = Math.floor(phaseFraction * intervalUs);
  }

  protected override scheduleNext(answer: Answer): void {
    if (this.stopped) return;
    const now = nowUs();
    if (!this.hasCursor) {
      if (answer === Answer.Failed) this.#timer = setTimeout(connectAgain, this.reconnectDelayMs(1000), this); // still connecting: retry
      return;
    }
    if (this.#nextUs === 0) this.#nextUs = now + this.#phaseUs; // just connected: start the grid
    if (answer === Answer.Messages && this.spec.drain) {
      this.send();
      return;
    }
    // Skip the slots that passed while waiting; each one is a poll the schedule wanted and did not get.
    while (this.#nextUs <= now) {
      this.#nextUs += this.#intervalUs;
      this.env.metrics.missedPolls++;
    }
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
