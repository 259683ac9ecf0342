import TinyQueue from 'tinyqueue';
import type { BenchClient } from '../clients/client-base.js';
import { nowUs } from '../clock.js';
import type { Arrival } from '../config/types.js';
import { encodeHistogram, newHistogram } from '../metrics/histogram.js';
import { clientOrigin, encodeEventBody, payloadPadding } from '../protocol/event.js';
import { ArrivalProcess } from '../publisher/arrivals.js';
import { deriveSeed, seededRandom } from '../publisher/rng.js';
import type { UpstreamReport } from './messages.js';

interface Stream {
  client: BenchClient;
  topicIndex: number;
  arrivals: ArrivalProcess;
  nextUs: number;
  seq: number;
}

/**
 * rooms: every client of the worker publishes to its room on its own open-model schedule
 * (seeded per client). One timer serves them all through a queue ordered by next send time.
 */
export class UpstreamPublisher {
  readonly #queue = new TinyQueue<Stream>([], (a, b) => a.nextUs - b.nextUs);
  readonly #padding: string;
  readonly #windowStartUs: number;
  readonly #windowEndUs: number;
  readonly #phaseStartUs: number;
  readonly #accepted: Record<number, number> = {};
  readonly #lag = newHistogram();
  readonly #perSecond: number[] = [];
  #sent = 0;
  #errors = 0;
  #eventsInWindow = 0;
  #pending = 0;
  #scheduling = true;
  #timer: NodeJS.Timeout | undefined;
  #onDone: ((report: UpstreamReport) => void) | undefined;

  constructor(
    clients: readonly { client: BenchClient; topicIndex: number }[],
    options: { ratePerS: number; arrival: Arrival; payloadBytes: number; seed: number; publishStartUs: number; windowStartUs: number; windowEndUs: number; phaseStartUs: number },
  ) {
    this.#padding = payloadPadding(options.payloadBytes);
    this.#windowStartUs = options.windowStartUs;
    this.#windowEndUs = options.windowEndUs;
    this.#phaseStartUs = options.phaseStartUs;
    for (const { client, topicIndex } of clients) {
      const arrivals = new ArrivalProcess(options.arrival, options.ratePerS, options.publishStartUs, seededRandom(deriveSeed(options.seed, client.index)));
      this.#queue.push({ client, topicIndex, arrivals, nextUs: arrivals.nextUs, seq: 0 });
    }
  }

  start(onDone: (report: UpstreamReport) => void): void {
    this.#onDone = onDone;
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#finishScheduling();
  }

  #tick = (): void => {
    const now = nowUs();
    let head = this.#queue.peek();
    while (head !== undefined && head.nextUs <= now && head.nextUs < this.#windowEndUs) {
      this.#queue.pop();
      this.#send(head, head.nextUs);
      head.nextUs = head.arrivals.advance();
      this.#queue.push(head);
      head = this.#queue.peek();
    }
    // The earliest next send is past the window's end: every stream is done.
    if (head === undefined || head.nextUs >= this.#windowEndUs) return this.#finishScheduling();
    this.#timer = setTimeout(this.#tick, Math.max(0, (head.nextUs - nowUs()) / 1000));
  };

  #send(stream: Stream, tsUs: number): void {
    const inWindow = tsUs >= this.#windowStartUs;
    if (inWindow) this.#eventsInWindow++;
    this.#sent++;
    this.#pending++;
    const now = nowUs();
    this.#lag.recordValue(Math.max(0, now - tsUs));
    const second = Math.floor((now - this.#phaseStartUs) / 1_000_000);
    this.#perSecond[second] = (this.#perSecond[second] ?? 0) + 1;
    const body = encodeEventBody(clientOrigin(stream.client.index), ++stream.seq, tsUs, this.#padding);
    stream.client.publish(body, (ok) => {
      this.#pending--;
      if (!ok) this.#errors++;
      else if (inWindow) this.#accepted[stream.topicIndex] = (this.#accepted[stream.topicIndex] ?? 0) + 1;
      this.#maybeDone();
    });
  }

  #finishScheduling(): void {
    this.#scheduling = false;
    this.#maybeDone();
  }

  #maybeDone(): void {
    if (this.#scheduling || this.#pending > 0 || this.#onDone === undefined) return;
    const onDone = this.#onDone;
    this.#onDone = undefined;
    onDone({
      acceptedPerTopic: { ...this.#accepted },
      eventsInWindow: this.#eventsInWindow,
      sent: this.#sent,
      errors: this.#errors,
      lagHistogram: encodeHistogram(this.#lag),
      perSecond: Array.from(this.#perSecond, (n) => n ?? 0),
    });
  }
}
