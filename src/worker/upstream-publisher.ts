import TinyQueue from 'tinyqueue';
import type { BenchClient } from '../clients/client-base.js';
import { nowUs } from '../clock.js';
import type { Arrival } from '../config/types.js';
import { clientOrigin, encodeEventBody, originKey, payloadPadding } from '../protocol/event.js';
import { ArrivalProcess } from '../publisher/arrivals.js';
import { PublishLedger, type PublishReport } from '../publisher/publish-report.js';
import { deriveSeed, seededRandom } from '../publisher/rng.js';

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
  readonly #ledger: PublishLedger;
  #pending = 0;
  #scheduling = true;
  #timer: NodeJS.Timeout | undefined;
  #onDone: ((report: PublishReport) => void) | undefined;

  constructor(
    clients: readonly { client: BenchClient; topicIndex: number }[],
    options: { ratePerS: number; arrival: Arrival; payloadBytes: number; seed: number; publishStartUs: number; windowStartUs: number; windowEndUs: number; phaseStartUs: number },
  ) {
    this.#padding = payloadPadding(options.payloadBytes);
    this.#windowStartUs = options.windowStartUs;
    this.#windowEndUs = options.windowEndUs;
    this.#ledger = new PublishLedger(options.phaseStartUs);
    for (const { client, topicIndex } of clients) {
      const arrivals = new ArrivalProcess(options.arrival, options.ratePerS, options.publishStartUs, seededRandom(deriveSeed(options.seed, client.index)));
      this.#queue.push({ client, topicIndex, arrivals, nextUs: arrivals.nextUs, seq: 0 });
    }
  }

  start(onDone: (report: PublishReport) => void): void {
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
    const seq = ++stream.seq;
    const key = originKey(clientOrigin(stream.client.index));
    this.#pending++;
    this.#ledger.sent(key, stream.topicIndex, seq, tsUs, inWindow, nowUs());
    const body = encodeEventBody(clientOrigin(stream.client.index), seq, tsUs, this.#padding);
    stream.client.publish(body, (outcome) => {
      this.#pending--;
      this.#ledger.answered(key, stream.topicIndex, seq, inWindow, outcome.ok, outcome.status);
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
    onDone(this.#ledger.report());
  }
}
