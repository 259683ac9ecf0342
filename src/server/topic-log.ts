import { stampEvent } from '../protocol/event.js';
import { sseEventFrame } from '../protocol/sse-frame.js';

/** One stored event: serialised once, framed for SSE once, shared by every reader. */
export interface LogEntry {
  readonly id: number;
  /**
   * The event JSON (`{"id":..,"topic":..,...}`), sent as-is by poll, long-poll and WebSocket.
   * A view into `sse`, so the event's bytes are held once.
   */
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

export interface LogAppend {
  readonly entry: LogEntry;
  /** Bytes the new entry counts for (see entryBytes). */
  readonly bytes: number;
  /** Entries the log evicted to stay within its own bounds, and the bytes they counted for. */
  readonly evicted: number;
  readonly evictedBytes: number;
}

/**
 * What one retained entry is counted as, beyond its frame's length: the entry object, two
 * Buffer views, the frame's ArrayBuffer and its ring slot, rounded up. An estimate, so the
 * bound holds for logs of many small events too.
 */
export const LOG_ENTRY_OVERHEAD_BYTES = 256;

/** Bytes an entry counts for against ringBytes and maxLogBytes. */
export function entryBytes(entry: LogEntry): number {
  return entry.sse.length + LOG_ENTRY_OVERHEAD_BYTES;
}

/**
 * The append-only log of one topic, a bounded ring: ids are 1, 2, 3, … and the newest
 * entries are kept, at most `capacity` of them and at most `maxBytes` (entryBytes) — but
 * always the newest one, however large. The server-wide byte bound evicts through
 * `evictOldest`.
 */
export class TopicLog {
  readonly #ring: (LogEntry | undefined)[];
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #topicJson: string;
  #headId = 0;
  #tailId = 1;
  #bytes = 0;

  constructor(topic: string, capacity: number, maxBytes: number) {
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#ring = new Array(capacity);
    this.#topicJson = JSON.stringify(topic);
  }

  /** Id of the newest event, 0 when none was ever published. */
  get headId(): number {
    return this.#headId;
  }

  /** Id of the oldest retained event (headId + 1 when the log is empty). */
  get tailId(): number {
    return this.#tailId;
  }

  /** Bytes the retained entries count for. */
  get retainedBytes(): number {
    return this.#bytes;
  }

  /**
   * Continues a log a previous server kept (a restart, see hub.ts restoreLogs): an empty log
   * whose next id is `headId` + 1. Throws when the log already holds events.
   */
  startAfter(headId: number): void {
    if (this.#headId !== 0) throw new Error('startAfter: the log is not empty');
    this.#headId = headId;
    this.#tailId = headId + 1;
  }

  /** Each retained entry, oldest first. */
  *entries(): IterableIterator<LogEntry> {
    for (let id = this.#tailId; id <= this.#headId; id++) yield this.#ring[(id - 1) % this.#capacity]!;
  }

  /** Appends a publisher body (see stampEvent), evicting the oldest entries past the log's bounds. */
  append(body: string, bodyIsEmpty: boolean): LogAppend {
    const id = ++this.#headId;
    const json = stampEvent(id, this.#topicJson, body, bodyIsEmpty);
    const sse = sseEventFrame(id, json);
    const entry: LogEntry = { id, json: sse.subarray(sse.length - 2 - json.length, sse.length - 2), sse };
    const bytes = entryBytes(entry);
    let evicted = 0;
    let evictedBytes = 0;
    // The slot about to be reused still holds the entry `capacity` ids back.
    if (id - this.#tailId >= this.#capacity) {
      evictedBytes += this.evictOldest();
      evicted++;
    }
    this.#ring[(id - 1) % this.#capacity] = entry;
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes && this.#tailId < id) {
      evictedBytes += this.evictOldest();
      evicted++;
    }
    return { entry, bytes, evicted, evictedBytes };
  }

  /**
   * Appends an event another process numbered (the sequencer of a multi-process server,
   * cluster-primary.ts). Throws unless `id` is headId + 1: a log that skipped or repeated an
   * id would deliver different events than its sibling processes.
   */
  appendWithId(id: number, body: string, bodyIsEmpty: boolean): LogAppend {
    if (id !== this.#headId + 1) throw new Error(`topic ${this.#topicJson}: event id ${id} does not follow the log's head ${this.#headId}`);
    return this.append(body, bodyIsEmpty);
  }

  /** Drops the oldest retained entry; returns the bytes it counted for (0 when the log is empty). */
  evictOldest(): number {
    if (this.#tailId > this.#headId) return 0;
    const slot = (this.#tailId - 1) % this.#capacity;
    const entry = this.#ring[slot]!;
    this.#ring[slot] = undefined;
    this.#tailId++;
    const bytes = entryBytes(entry);
    this.#bytes -= bytes;
    return bytes;
  }

  /** Entries with id > `since`, oldest first, at most `limit`. */
  readSince(since: number, limit: number): LogRead {
    const tail = this.#tailId;
    const gap = since + 1 < tail && this.#headId > 0;
    const first = Math.max(since + 1, tail);
    const last = Math.min(this.#headId, first + limit - 1);
    const entries: LogEntry[] = [];
    for (let id = first; id <= last; id++) entries.push(this.#ring[(id - 1) % this.#capacity]!);
    return { entries, next: entries.length > 0 ? last : Math.max(since, 0), gap };
  }
}
