import type { Marker } from '../profiles/profile-types.js';
import { readEventFields, type EventFields } from '../protocol/event.js';
import type { ClientMetrics } from './client-metrics.js';
import type { DeliveryTracker } from './delivery-tracker.js';
import { scanEvents, type ScanSink } from './event-scan.js';

/**
 * Applies a profile's marker (DESIGN §2b) to one delivered message and hands every rtbench
 * event in it to the metrics. A message with no event in it (a heartbeat, a control packet,
 * someone else's message) is counted as an "other message", never as a protocol error.
 * One reader per worker, reused for every message.
 */
export class MessageReader implements ScanSink {
  readonly #marker: Marker;
  readonly #metrics: ClientMetrics;
  readonly #fields: EventFields;
  #tracker: DeliveryTracker | undefined;
  #receiveUs = 0;
  /** The `id` of the last event read (NaN when the message carried none). */
  lastId = NaN;

  constructor(marker: Marker, metrics: ClientMetrics, fields: EventFields) {
    this.#marker = marker;
    this.#metrics = metrics;
    this.#fields = fields;
  }

  /** Reads `buf[start, end)`, received at `receiveUs`; returns how many events it held. */
  read(tracker: DeliveryTracker, buf: Buffer, start: number, end: number, receiveUs: number): number {
    this.lastId = NaN;
    let n = 0;
    switch (this.#marker.kind) {
      case 'verbatim': {
        const f = this.#fields;
        if (readEventFields(buf, start, end, f)) {
          this.lastId = f.id;
          this.#metrics.deliver(tracker, f.originKey, f.seq, f.tsUs, receiveUs);
          n = 1;
        }
        break;
      }
      case 'scan':
        this.#tracker = tracker;
        this.#receiveUs = receiveUs;
        n = scanEvents(buf, start, end, this.#fields, this);
        break;
      case 'path':
        n = this.#readPath(tracker, buf, start, end, receiveUs, this.#marker.path);
        break;
    }
    if (n === 0) this.#metrics.otherMessages++;
    return n;
  }

  scanned(fields: EventFields): void {
    this.#metrics.deliver(this.#tracker!, fields.originKey, fields.seq, fields.tsUs, this.#receiveUs);
  }

  /** `marker: {path}`: the message is JSON; the value at the path is the event, a string holding it, or an array of either. */
  #readPath(tracker: DeliveryTracker, buf: Buffer, start: number, end: number, receiveUs: number, path: readonly string[]): number {
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, end));
    } catch {
      return 0;
    }
    for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    const values = Array.isArray(value) ? value : [value];
    let n = 0;
    this.#tracker = tracker;
    this.#receiveUs = receiveUs;
    for (const v of values) {
      if (typeof v === 'string') {
        const bytes = Buffer.from(v);
        n += scanEvents(bytes, 0, bytes.length, this.#fields, this);
      } else if (typeof v === 'object' && v !== null) {
        const bytes = Buffer.from(JSON.stringify(v));
        const f = this.#fields;
        if (readEventFields(bytes, 0, bytes.length, f)) {
          this.lastId = f.id;
          this.#metrics.deliver(tracker, f.originKey, f.seq, f.tsUs, receiveUs);
          n++;
        }
      }
    }
    return n;
  }
}
