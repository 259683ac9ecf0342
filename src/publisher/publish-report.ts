import { encodeHistogram, mergeEncoded, newHistogram, type Histogram } from '../metrics/histogram.js';
import type { StreamExpectation } from '../protocol/stream-expectation.js';

/**
 * What a publisher reports when its schedule is over — the same shape for the broadcast
 * publisher and for every worker's rooms publisher, so the runner adds them up one way.
 */
export interface PublishReport {
  /** Per (origin, topic): the seqs scheduled in the window and those the server refused. */
  streams: StreamExpectation[];
  /** Events scheduled in the window, and of those how many the server accepted. */
  eventsInWindow: number;
  acceptedInWindow: number;
  sent: number;
  errors: number;
  /** Failed publishes by HTTP status ("0": no answer at all). */
  errorStatuses: Record<string, number>;
  /** Publish delay behind schedule (actual send − scheduled), µs. */
  lagHistogram: string;
  /** Events sent per second of the phase. */
  perSecond: number[];
}

interface OpenStream {
  originKey: number;
  topicIndex: number;
  firstSeq: number;
  lastSeq: number;
  failedSeqs: number[];
}

/**
 * The bookkeeping both publishers share: what was sent when, and per stream which seqs of
 * the window were sent and which the server refused.
 */
export class PublishLedger {
  readonly #phaseStartUs: number;
  readonly #streams = new Map<string, OpenStream>();
  readonly #lag: Histogram = newHistogram();
  readonly #perSecond: number[] = [];
  readonly #errorStatuses: Record<string, number> = {};
  #sent = 0;
  #errors = 0;
  #eventsInWindow = 0;
  #acceptedInWindow = 0;

  constructor(phaseStartUs: number) {
    this.#phaseStartUs = phaseStartUs;
  }

  /** Publishes failed so far (refused or unanswered). */
  get errors(): number {
    return this.#errors;
  }

  /** One publish leaves now, scheduled at `tsUs`. */
  sent(originKey: number, topicIndex: number, seq: number, tsUs: number, inWindow: boolean, nowUs: number): void {
    this.#sent++;
    this.#lag.recordValue(Math.max(0, nowUs - tsUs));
    const second = Math.floor((nowUs - this.#phaseStartUs) / 1_000_000);
    if (second >= 0) this.#perSecond[second] = (this.#perSecond[second] ?? 0) + 1;
    if (!inWindow) return;
    this.#eventsInWindow++;
    const key = `${originKey}/${topicIndex}`;
    const stream = this.#streams.get(key);
    if (stream === undefined) this.#streams.set(key, { originKey, topicIndex, firstSeq: seq, lastSeq: seq, failedSeqs: [] });
    else {
      stream.firstSeq = Math.min(stream.firstSeq, seq);
      stream.lastSeq = Math.max(stream.lastSeq, seq);
    }
  }

  /** The server answered that publish (status 0: it never did). */
  answered(originKey: number, topicIndex: number, seq: number, inWindow: boolean, ok: boolean, status: number): void {
    if (ok) {
      if (inWindow) this.#acceptedInWindow++;
      return;
    }
    this.#errors++;
    this.#errorStatuses[status] = (this.#errorStatuses[status] ?? 0) + 1;
    if (inWindow) this.#streams.get(`${originKey}/${topicIndex}`)?.failedSeqs.push(seq);
  }

  report(): PublishReport {
    return {
      streams: [...this.#streams.values()].map((s) => ({ ...s, failedSeqs: [...s.failedSeqs] })),
      eventsInWindow: this.#eventsInWindow,
      acceptedInWindow: this.#acceptedInWindow,
      sent: this.#sent,
      errors: this.#errors,
      errorStatuses: { ...this.#errorStatuses },
      lagHistogram: encodeHistogram(this.#lag),
      perSecond: Array.from(this.#perSecond, (n) => n ?? 0),
    };
  }
}

/** Adds up several publishers' reports (the rooms publishers of every worker). */
export function mergePublishReports(reports: readonly PublishReport[]): PublishReport | undefined {
  if (reports.length === 0) return undefined;
  const out: PublishReport = { streams: [], eventsInWindow: 0, acceptedInWindow: 0, sent: 0, errors: 0, errorStatuses: {}, lagHistogram: '', perSecond: [] };
  for (const r of reports) {
    out.streams.push(...r.streams);
    out.eventsInWindow += r.eventsInWindow;
    out.acceptedInWindow += r.acceptedInWindow;
    out.sent += r.sent;
    out.errors += r.errors;
    for (const [status, n] of Object.entries(r.errorStatuses)) out.errorStatuses[status] = (out.errorStatuses[status] ?? 0) + n;
    r.perSecond.forEach((n, i) => (out.perSecond[i] = (out.perSecond[i] ?? 0) + n));
  }
  out.perSecond = Array.from(out.perSecond, (n) => n ?? 0);
  out.lagHistogram = encodeHistogram(mergeEncoded(reports.map((r) => r.lagHistogram)));
  return out;
}
