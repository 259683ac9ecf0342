import { nowUs } from '../clock.js';
import type { Arrival } from '../config/types.js';
import type { PublishSpec } from '../profiles/profile-types.js';
import { encodeEventBody, originKey, payloadPadding, publisherOrigin } from '../protocol/event.js';
import { ArrivalProcess } from './arrivals.js';
import { PublishLedger, type PublishReport } from './publish-report.js';
import { PublishSender } from './publish-sender.js';
import { seededRandom, type Random } from './rng.js';

export interface PublisherOptions {
  targetUrl: string;
  /** How the target takes a publish (the profile's `publish` section). */
  publish: PublishSpec;
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
  /** Publishes as origin `p<originIndex>` (a shard's index, DESIGN §6); 0 by default. */
  originIndex?: number;
}

/** Connections the publisher spreads topics over, and publishes in flight on each. */
const CONNECTIONS = 8;
const PIPELINING = 64;

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
  readonly #origin: string;
  readonly #originKey: number;
  readonly #seq: number[];
  readonly #ledger: PublishLedger;
  #roundRobin = 0;
  #timer: NodeJS.Timeout | undefined;
  #finished!: Promise<void>;
  #finish!: () => void;
  #stopped = false;
  #sent = 0;

  constructor(options: PublisherOptions) {
    this.#o = options;
    this.#origin = publisherOrigin(options.originIndex ?? 0);
    this.#originKey = originKey(this.#origin);
    this.#sender = new PublishSender(options.targetUrl, options.publish, { connections: Math.min(CONNECTIONS, options.topics.length), pipelining: PIPELINING });
    this.#random = seededRandom(options.seed);
    this.#arrivals = new ArrivalProcess(options.arrival, options.totalRatePerS, options.startUs, this.#random);
    this.#padding = payloadPadding(options.payloadBytes);
    this.#seq = new Array<number>(options.topics.length).fill(0);
    this.#ledger = new PublishLedger(options.phaseStartUs);
    this.#finished = new Promise((resolve) => (this.#finish = resolve));
  }

  start(): void {
    this.#tick();
  }

  /** Resolves when the schedule has ended (or stop() was called) and every publish was answered. */
  async done(): Promise<PublishReport> {
    await this.#finished;
    await this.#sender.idle();
    await this.#sender.close();
    return this.#ledger.report();
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

  /** Publishes failed so far (refused or unanswered): the restart fault counts those of its outage. */
  get errors(): number {
    return this.#ledger.errors;
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
    const key = this.#originKey;
    this.#sent++;
    this.#ledger.sent(key, topicIndex, seq, tsUs, inWindow, nowUs());
    this.#sender.publish(topics[topicIndex], topicIndex, encodeEventBody(this.#origin, seq, tsUs, this.#padding), (outcome) => {
      this.#ledger.answered(key, topicIndex, seq, inWindow, outcome.ok, outcome.status);
    });
  }
}
