import { newHistogram, type Histogram } from '../metrics/histogram.js';
import { Arrival, type DeliveryTracker } from './delivery-tracker.js';
import { HistogramRecorder } from './histogram-recorder.js';

/**
 * Everything one worker's clients measure, shared by all of them. Counters are plain
 * numbers bumped in place; histograms hold integer µs. The worker folds them into
 * per-second ticks and a final report.
 */
export class ClientMetrics {
  // The two latency histograms are recorded per message: batched (histogram-recorder.ts).
  readonly #latency = new HistogramRecorder(newHistogram());
  readonly #secondLatency = new HistogramRecorder(newHistogram());
  readonly connect: Histogram = newHistogram();
  /** Time from a cut to the first event after it, per cut client. */
  readonly recovery: Histogram = newHistogram();

  /** The window in scheduled-publish time; events outside it count for the series only. */
  windowStartUs = Number.POSITIVE_INFINITY;
  windowEndUs = Number.POSITIVE_INFINITY;

  /** Unique deliveries of events scheduled in the window. */
  delivered = 0;
  duplicated = 0;
  outOfOrder = 0;
  /** Every first receipt of any event, by receive time (events/s). */
  received = 0;
  gaps = 0;
  /** HTTP answers or streams of the wrong shape (status, content type, body). */
  protocolErrors = 0;
  /** Messages that carried no rtbench event (heartbeats, control packets, other traffic). */
  otherMessages = 0;
  connected = 0;
  connectErrors = 0;
  /** Requests of a connected client that failed without an answer (reset, refused, closed). */
  requestErrors = 0;
  reconnects = 0;
  /** Clients whose connections a fault cut. */
  cuts = 0;
  /** Subscriber requests: polls, long-polls, SSE connects, WebSocket upgrades. */
  requests = 0;
  /** Polling slots that passed without a poll. */
  missedPolls = 0;
  emptyResponses = 0;
  publishRequests = 0;
  publishErrors = 0;
  /**
   * A shard's own origin key (DESIGN §6): only its events are timed, because only their `ts`
   * is on this host's clock. Events of other origins count for loss, duplicates and order
   * (over the whole phase: their window is known by seq, not by time). NaN: every origin is
   * timed (one process publishes everything).
   */
  ownOriginKey = NaN;

  /** Delivery latency of events scheduled in the window. */
  get latency(): Histogram {
    return this.#latency.flushed();
  }

  /** Delivery latency of every event received since the last resetSecondLatency() (for the time series). */
  get secondLatency(): Histogram {
    return this.#secondLatency.flushed();
  }

  /** Each tick, after reading secondLatency. */
  resetSecondLatency(): void {
    this.#secondLatency.reset();
  }

  /**
   * The per-message hot path: one tracker lookup, one or two histogram records, a few
   * increments. `receiveUs` is read once per socket read or response, not per event.
   */
  deliver(tracker: DeliveryTracker, originKey: number, seq: number, tsUs: number, receiveUs: number): void {
    const arrival = tracker.observe(originKey, seq);
    // `x === x` is false only for NaN: unsharded, every origin is this host's own.
    if (originKey !== this.ownOriginKey && this.ownOriginKey === this.ownOriginKey) {
      this.#foreign(tracker, arrival, receiveUs);
      return;
    }
    const inWindow = tsUs >= this.windowStartUs && tsUs < this.windowEndUs;
    if (arrival === Arrival.Duplicate) {
      if (inWindow) this.duplicated++;
      return;
    }
    this.received++;
    const cutAtUs = tracker.cutAtUs;
    if (cutAtUs === cutAtUs) {
      this.recovery.recordValue(receiveUs > cutAtUs ? receiveUs - cutAtUs : 0);
      tracker.cutAtUs = NaN;
    }
    const latencyUs = receiveUs > tsUs ? receiveUs - tsUs : 0;
    const index = this.#secondLatency.record(latencyUs);
    if (!inWindow) return;
    this.delivered++;
    this.#latency.recordAt(latencyUs, index);
    if (arrival === Arrival.OutOfOrder) this.outOfOrder++;
  }

  /** Another shard's event: counted, not timed (its `ts` is on another host's clock). */
  #foreign(tracker: DeliveryTracker, arrival: Arrival, receiveUs: number): void {
    if (arrival === Arrival.Duplicate) {
      this.duplicated++;
      return;
    }
    this.received++;
    const cutAtUs = tracker.cutAtUs;
    if (cutAtUs === cutAtUs) {
      this.recovery.recordValue(receiveUs > cutAtUs ? receiveUs - cutAtUs : 0);
      tracker.cutAtUs = NaN;
    }
    if (arrival === Arrival.OutOfOrder) this.outOfOrder++;
  }
}
