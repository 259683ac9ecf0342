import { fastNowUs } from '../clock.js';
import type { PollSpec } from '../profiles/profile-types.js';
import type { ClientEnvironment } from './client-environment.js';
import { Answer } from './http-poller.js';
import { RawHttpPoller } from './raw-poller.js';
import { pollWheel, type WheelClient } from './timer-wheel.js';

/**
 * Short polling and long polling on the raw poller (`--client raw`). Their scheduling is
 * PollingClient's and LongPollingClient's, line for line (see those files for the reasons):
 * only the HTTP underneath differs, so both implementations make the same requests at the
 * same times. The polls wait on the thread's one timer wheel (timer-wheel.ts), not a Node
 * timer each.
 */
export class RawPollingClient extends RawHttpPoller implements WheelClient {
  readonly #intervalUs: number;
  readonly #phaseUs: number;
  #nextUs = 0;
  #timer: NodeJS.Timeout | undefined;
  wheelToken = 0;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, intervalUs: number, phaseFraction: number) {
    super(env, index, topic, spec);
    this.#intervalUs = intervalUs;
    this.#phaseUs = Math.floor(phaseFraction * intervalUs);
  }

  protected override scheduleNext(answer: Answer): void {
    if (this.stopped) return;
    const now = fastNowUs();
    if (!this.hasCursor) {
      if (answer === Answer.Failed) this.#timer = setTimeout(connectAgain, this.reconnectDelayMs(1000), this);
      return;
    }
    if (this.#nextUs === 0) this.#nextUs = now + this.#phaseUs;
    while (this.#nextUs <= now) {
      this.#nextUs += this.#intervalUs;
      this.env.metrics.missedPolls++;
    }
    pollWheel.schedule(this, this.#nextUs);
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    pollWheel.cancel(this);
    super.close();
  }

  /** The next poll's time came (the wheel's callback). */
  due(): void {
    this.#nextUs += this.#intervalUs;
    this.send();
  }

  retryConnect(): void {
    this.send();
  }
}

function connectAgain(client: RawPollingClient): void {
  client.retryConnect();
}

export class RawLongPollingClient extends RawHttpPoller {
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, timeoutMs: number) {
    super(env, index, topic, spec, { timeoutMs: String(timeoutMs), timeoutS: String(Math.max(1, Math.round(timeoutMs / 1000))) });
  }

  protected override scheduleNext(answer: Answer): void {
    if (this.stopped) return;
    if (answer === Answer.Failed) this.#timer = setTimeout(resend, this.reconnectDelayMs(1000), this);
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

function resend(client: RawLongPollingClient): void {
  client.resend();
}
