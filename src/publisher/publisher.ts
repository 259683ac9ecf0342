import { nowUs } from '../clock.js';
import type { Arrival } from '../config/types.js';
import { encodeHistogram, newHistogram, type Histogram } from '../metrics/histogram.js';
import { encodeEventBody, payloadPadding, publisherOrigin } from '../protocol/event.js';
import { ArrivalProcess } from './arrivals.js';
import { PublishSender } from './publish-sender.js';
import { seededRandom, type Random } from './rng.js';

export interface PublisherOptions {
  targetUrl: string;
  topics: readonly string[];
  /** Events/s over all topics together. */
  totalRatePerS: number;
  arrival: Arrival;
  payloadBytes: number;
  seed: number;
  /** Publishing runs over scheduled times [startUs, windowEndUs); the window is [windowStartUs, windowEndUs). */
  startUs: number;
  windowStartUs: number;
  windowEndUs: number;
  /** For per-second counts: second i is [phaseStartUs + i s, + 1 s). */
  phaseStartUs: number;
}

/** Connections the publisher spreads topics over, and publishes in flight on each. */
const CONNECTIONS = 8;
const PIPELINING = 64;

export interface PublisherReport {
  /** Events accepted by the server with a scheduled time in the window, per topic index. */
  acceptedInWindow: number[];
  eventsInWindow: number;
  sent: number;
  errors: number;
  /** Publish delay behind schedule (actual send − scheduled), µs. */
  lagHistogram: string;
  /** Events sent per second of the phase. */
  perSecond: number[];
}

/**
 * The open-model publisher for the broadcast and per-client patterns: one merged arrival
 * stream over all topics (Poisson: a uniformly random topic per event, so each topic is a
 * Poisson stream of rate/topics; fixed: round-robin, so each topic is evenly spaced). Every
 * event is stamped with its *scheduled* time: when the publisher or server falls behind,
 * the delay is counted in the receivers' latency, not hidden (no coordinated omission).
 */
export class Publisher {
  readonly #o: PublisherOptions;
  readonly #sender: PublishSender;
  readonly #arrivals: ArrivalProcess;
  readonly #random: Random;
  readonly #padding: string;
  readonly #origin = publisherOrigin(0);
  readonly #seq: number[];
  readonly #accepted: number[];
  readonly #lag: Histogram = newHistogram();
  readonly #perSecond: number[] = [];
  #roundRobin = 0;
  #sent = 0;
  #errors = 0;
  #eventsInWindow = 0;
  #timer: NodeJS.Timeout | undefined;
  #finished!: Promise<void>;
  #finish!: () => void;
  #stopped = false;

  constructor(options: PublisherOptions) {
    this.#o = options;
    this.#sender = new PublishSender(options.targetUrl, { connections: Math.min(CONNECTIONS, options.topics.length), pipelining: PIPELINING });
    this.#random = seededRandom(options.seed);
    this.#arrivals = new ArrivalProcess(options.arrival, options.totalRatePerS, options.startUs, this.#random);
    this.#padding = payloadPadding(options.payloadBytes);
    this.#seq = new Array<number>(options.topics.length).fill(0);
    this.#accepted = new Array<number>(options.topics.length).fill(0);
    this.#finished = new Promise((resolve) => (this.#finish = resolve));
  }

  start(): void {
    this.#tick();
  }

  /** Resolves when the schedule has ended (or stop() was called) and every publish was answered. */
  async done(): Promise<PublisherReport> {
    await this.#finished;
    await this.#sender.idle();
    await this.#sender.close();
    return {
      acceptedInWindow: [...this.#accepted],
      eventsInWindow: this.#eventsInWindow,
      sent: this.#sent,
      errors: this.#errors,
      lagHistogram: encodeHistogram(this.#lag),
      perSecond: [...this.#perSecond],
    };
  }

  /** Stops scheduling now (Ctrl-C, a failed phase); in-flight publishes still finish. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#finish();
  }

  get sent(): number {
    return this.#sent;
  }

  #tick = (): void => {
    if (this.#stopped) return;
    const now = nowUs();
    const end = this.#o.windowEndUs;
    let next = this.#arrivals.nextUs;
    while (next <= now && next < end) {
      this.#emit(next);
      next = this.#arrivals.advance();
    }
    if (next >= end) {
      this.#stopped = true;
      this.#finish();
      return;
    }
    // Timers fire on whole milliseconds: events due within the same millisecond go together.
    this.#timer = setTimeout(this.#tick, Math.max(0, (next - nowUs()) / 1000));
  };

  #emit(tsUs: number): void {
    const topics = this.#o.topics;
    const topicIndex = this.#o.arrival === 'fixed' ? this.#roundRobin++ % topics.length : Math.floor(this.#random() * topics.length);
    const seq = ++this.#seq[topicIndex];
    const inWindow = tsUs >= this.#o.windowStartUs;
    if (inWindow) this.#eventsInWindow++;
    const second = Math.floor((nowUs() - this.#o.phaseStartUs) / 1_000_000);
    this.#perSecond[second] = (this.#perSecond[second] ?? 0) + 1;
    this.#sent++;
    this.#lag.recordValue(Math.max(0, nowUs() - tsUs));
    this.#sender.publish(topics[topicIndex], topicIndex, encodeEventBody(this.#origin, seq, tsUs, this.#padding), (ok) => {
      if (!ok) this.#errors++;
      else if (inWindow) this.#accepted[topicIndex]++;
    });
  }
}
