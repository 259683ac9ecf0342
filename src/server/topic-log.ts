import { stampEvent } from '../protocol/event.js';
import { sseEventFrame } from '../protocol/sse-frame.js';

/** One stored event: serialised once, framed for SSE once, shared by every reader. */
export interface LogEntry {
  readonly id: number;
  /** The event JSON (`{"id":..,"topic":..,...}`), sent as-is by poll, long-poll and WebSocket. */
  readonly json: Buffer;
  /** `id: N\ndata: <json>\n\n`, sent as-is by SSE. */
  readonly sse: Buffer;
}

export interface LogRead {
  readonly entries: LogEntry[];
  /** The cursor to ask with next time: the id of the last entry returned (or the cursor given). */
  readonly next: number;
  /** True when events after the cursor were already evicted: the reader lost them. */
  readonly gap: boolean;
}

/**
 * The append-only log of one topic, a bounded ring: ids are 1, 2, 3, … and the last
 * `capacity` entries are kept.
 */
export class TopicLog {
  readonly #ring: (LogEntry | undefined)[];
  readonly #capacity: number;
  readonly #topicJson: string;
  #headId = 0;

  constructor(topic: string, capacity: number) {
    this.#capacity = capacity;
    this.#ring = new Array(capacity);
    this.#topicJson = JSON.stringify(topic);
  }

  /** Id of the newest event, 0 when none was ever published. */
  get headId(): number {
    return this.#headId;
  }

  /** Id of the oldest retained event (headId + 1 when the log is empty). */
  get tailId(): number {
    return Math.max(1, this.#headId - this.#capacity + 1);
  }

  /** Appends a publisher body (see stampEvent) and returns the entry; `evicted` says one fell off. */
  append(body: string, bodyIsEmpty: boolean): { entry: LogEntry; evicted: boolean } {
    const id = ++this.#headId;
    const json = stampEvent(id, this.#topicJson, body, bodyIsEmpty);
    const entry: LogEntry = { id, json, sse: sseEventFrame(id, json) };
    const slot = (id - 1) % this.#capacity;
    const evicted = this.#ring[slot] !== undefined;
    this.#ring[slot] = entry;
    return { entry, evicted };
  }

  /** Entries with id > `since`, oldest first, at most `limit`. */
  readSince(since: number, limit: number): LogRead {
    const tail = this.tailId;
    const gap = since + 1 < tail && this.#headId > 0;
    const first = Math.max(since + 1, tail);
    const last = Math.min(this.#headId, first + limit - 1);
    const entries: LogEntry[] = [];
    for (let id = first; id <= last; id++) entries.push(this.#ring[(id - 1) % this.#capacity]!);
    return { entries, next: entries.length > 0 ? last : Math.max(since, 0), gap };
  }
}
