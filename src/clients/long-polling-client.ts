import type { PollSpec } from '../profiles/profile-types.js';
import type { ClientEnvironment } from './client-environment.js';
import { Answer, HttpPoller } from './http-poller.js';

/**
 * Long polling: a GET re-sent as soon as each answer arrives, the profile's `{timeoutMs}` /
 * `{timeoutS}` telling the server how long to hold it. With the rtbench profile the first
 * request asks with `timeout=0` (answered at once with the head), which connects the client
 * without waiting for an event.
 */
export class LongPollingClient extends HttpPoller {
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, timeoutMs: number) {
    super(env, index, topic, spec, { timeoutMs: String(timeoutMs), timeoutS: String(Math.max(1, Math.round(timeoutMs / 1000))) });
  }

  protected override scheduleNext(answer: Answer): void {
    if (this.stopped) return;
    if (answer === Answer.Failed) this.#timer = setTimeout(resend, this.reconnectDelayMs(1000), this); // back off after an error
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
