/**
 * An incremental parser for the text/event-stream format (WHATWG HTML §9.2.6), on bytes.
 *
 * Hand-written because it is the SSE client's hot path: an event whose data is one line
 * inside one chunk is handed over as a range of that chunk — no string, no copy. It follows
 * the spec in full: a leading BOM, CR / LF / CRLF line ends (a CRLF split across chunks too),
 * comments, `field: value` with one optional space, multi-line data joined by LF, `event`,
 * `id` (ignored when it contains NUL; kept across events; committed at each blank line),
 * `retry` (digits only), unknown fields ignored, and no dispatch without a blank line.
 * test/clients/sse-parser.test.ts checks it against the eventsource package on the same bytes.
 * Where that package departs from the spec, this parser follows the spec (as browsers do):
 * a lone CR ends a line at once, even as the stream's last byte (eventsource waits for a LF
 * that may never come), and an `id` in a block without data still sets the last event ID.
 */

export interface SseHandler {
  /**
   * An event was dispatched. Its data is the UTF-8 bytes `data[start, end)`, valid only
   * during the call. `type` is '' for the default type ("message").
   */
  onEvent(data: Uint8Array, start: number, end: number, type: string): void;
  /** A comment line (without its leading ':'). */
  onComment(line: Uint8Array, start: number, end: number): void;
  /** A valid `retry:` field, in ms. */
  onRetry(ms: number): void;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;
const EMPTY = new Uint8Array(0);

export class SseParser {
  readonly #handler: SseHandler;
  /** A line that has not ended yet, carried into the next chunk. */
  #carry: Buffer | undefined;
  /** The last chunk ended with CR: a LF at the start of the next one belongs to it. */
  #pendingCR = false;
  #atStreamStart = true;
  // The data buffer, as ranges of the chunks it came from: the first range in fields (almost
  // every event has one data line), any further ones in arrays made when first needed — three
  // arrays per client were ~500 bytes of the generator's memory per connection (issue 11).
  #firstBuf: Uint8Array = EMPTY;
  #firstStart = 0;
  #firstEnd = 0;
  #moreBufs: Uint8Array[] | undefined;
  #moreStarts: number[] | undefined;
  #moreEnds: number[] | undefined;
  #parts = 0;
  #eventType = '';
  // The "last event ID buffer", as bytes, and the last event ID string it is committed to
  // at each dispatch — decoded only when asked for (a reconnect), not per event.
  #idBytes = Buffer.alloc(64);
  #idLength = 0;
  #idChanged = false;
  #committedId: string | undefined = '';
  #committedBytes = Buffer.alloc(64);
  #committedLength = 0;

  constructor(handler: SseHandler) {
    this.#handler = handler;
  }

  /** The event source's last event ID string (what a reconnect sends as Last-Event-ID). */
  get lastEventId(): string {
    this.#committedId ??= this.#committedBytes.toString('utf8', 0, this.#committedLength);
    return this.#committedId;
  }

  /** Starts a new connection's stream: a BOM may lead again, and a half-read line or event is dropped. */
  reset(): void {
    this.#carry = undefined;
    this.#pendingCR = false;
    this.#atStreamStart = true;
    this.#parts = 0;
    this.#firstBuf = EMPTY;
    this.#eventType = '';
    this.#idLength = this.#committedLength;
    this.#committedBytes.copy(this.#idBytes, 0, 0, this.#committedLength);
    this.#idChanged = false;
  }

  /** Parses `chunk[start, end)` (the whole chunk by default): a range spares the caller a view per chunk. */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    let pos = start;
    const length = end;
    if (this.#pendingCR) {
      this.#pendingCR = false;
      if (length > pos && chunk[pos] === LF) pos++;
    }
    // CR is rare: look for it once per chunk, and split on LF alone when there is none.
    const cr = chunk.indexOf(CR, pos);
    const hasCR = cr !== -1 && cr < length;
    while (pos < length) {
      let eol: number;
      if (hasCR) {
        eol = pos;
        while (eol < length && chunk[eol] !== LF && chunk[eol] !== CR) eol++;
      } else {
        // A byte loop, not indexOf: lines are short, and a native call per line cost more than the scan.
        eol = pos;
        while (eol < length && chunk[eol] !== LF) eol++;
      }
      if (eol === length) {
        const rest = Buffer.from(chunk.subarray(pos, length));
        this.#carry = this.#carry === undefined ? rest : Buffer.concat([this.#carry, rest]);
        this.#keepParts(chunk);
        return;
      }
      if (this.#carry !== undefined) {
        const line = Buffer.concat([this.#carry, chunk.subarray(pos, eol)]);
        this.#carry = undefined;
        this.#line(line, 0, line.length);
      } else {
        this.#line(chunk, pos, eol);
      }
      if (chunk[eol] === CR) {
        if (eol + 1 < length) pos = chunk[eol + 1] === LF ? eol + 2 : eol + 1;
        else {
          this.#pendingCR = true;
          pos = eol + 1;
        }
      } else {
        pos = eol + 1;
      }
    }
    this.#keepParts(chunk);
  }

  /**
   * An event's data lines are ranges of the chunks they came in; the caller may reuse a chunk's
   * memory once push returns (the raw clients read into one shared buffer), so the lines of an
   * event not yet dispatched are copied. Rare: only an event cut across reads.
   */
  #keepParts(chunk: Uint8Array): void {
    if (this.#parts === 0) return;
    if (this.#firstBuf === chunk) {
      this.#firstBuf = Buffer.from(chunk.subarray(this.#firstStart, this.#firstEnd));
      this.#firstEnd -= this.#firstStart;
      this.#firstStart = 0;
    }
    const bufs = this.#moreBufs;
    if (bufs === undefined) return;
    const starts = this.#moreStarts!;
    const ends = this.#moreEnds!;
    for (let i = 0; i < this.#parts - 1; i++) {
      if (bufs[i] !== chunk) continue;
      bufs[i] = Buffer.from(chunk.subarray(starts[i], ends[i]));
      ends[i] -= starts[i];
      starts[i] = 0;
    }
  }

  #line(buf: Uint8Array, start: number, end: number): void {
    if (this.#atStreamStart) {
      this.#atStreamStart = false;
      // A UTF-8 BOM (EF BB BF) at the very start of the stream is skipped.
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (start === end) return this.#dispatch();
    if (buf[start] === COLON) return this.#handler.onComment(buf, start + 1, end);
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    let valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    const nameLength = colon - start;
    // Field names compared as bytes: data, id, event, retry.
    if (nameLength === 4 && buf[start] === 100 && buf[start + 1] === 97 && buf[start + 2] === 116 && buf[start + 3] === 97) {
      if (this.#parts === 0) {
        this.#firstBuf = buf;
        this.#firstStart = valueStart;
        this.#firstEnd = end;
      } else {
        const i = this.#parts - 1;
        (this.#moreBufs ??= [])[i] = buf;
        (this.#moreStarts ??= [])[i] = valueStart;
        (this.#moreEnds ??= [])[i] = end;
      }
      this.#parts++;
    } else if (nameLength === 2 && buf[start] === 105 && buf[start + 1] === 100) {
      // NUL searched for within the line only: indexOf would scan to the end of the chunk.
      let nul = valueStart;
      while (nul < end && buf[nul] !== 0) nul++;
      if (nul === end) this.#setId(buf, valueStart, end);
    } else if (nameLength === 5 && Buffer.from(buf.buffer, buf.byteOffset + start, 5).toString('latin1') === 'event') {
      this.#eventType = Buffer.from(buf.buffer, buf.byteOffset + valueStart, end - valueStart).toString('utf8');
    } else if (nameLength === 5 && Buffer.from(buf.buffer, buf.byteOffset + start, 5).toString('latin1') === 'retry') {
      let ms = 0;
      for (let i = valueStart; i < end; i++) {
        const digit = buf[i] - 48;
        if (digit < 0 || digit > 9) return;
        ms = ms * 10 + digit;
      }
      if (end > valueStart) this.#handler.onRetry(ms);
    }
  }

  #setId(buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length > this.#idBytes.length) this.#idBytes = Buffer.alloc(length * 2);
    // Ids are short: a byte loop is cheaper than a subarray view and a native copy.
    const idBytes = this.#idBytes;
    for (let i = 0; i < length; i++) idBytes[i] = buf[start + i];
    this.#idLength = length;
    this.#idChanged = true;
  }

  #dispatch(): void {
    // The last event ID string is set from its buffer at every dispatch, even with no data.
    // Only an id line changes the buffer, and it rewrites it whole: so swap the two buffers
    // rather than compare and copy (the spare's stale bytes are never read).
    if (this.#idChanged) {
      const spare = this.#committedBytes;
      this.#committedBytes = this.#idBytes;
      this.#committedLength = this.#idLength;
      this.#idBytes = spare;
      this.#idChanged = false;
      this.#committedId = undefined;
    }
    const parts = this.#parts;
    const type = this.#eventType;
    this.#parts = 0;
    this.#eventType = '';
    if (parts === 0) return;
    if (parts === 1) {
      this.#handler.onEvent(this.#firstBuf, this.#firstStart, this.#firstEnd, type);
    } else {
      // Several data lines: joined by LF (the final LF the spec appends is then removed).
      const pieces: Uint8Array[] = [this.#firstBuf.subarray(this.#firstStart, this.#firstEnd)];
      const bufs = this.#moreBufs!;
      for (let i = 0; i < parts - 1; i++) pieces.push(LF_BYTES, bufs[i].subarray(this.#moreStarts![i], this.#moreEnds![i]));
      const joined = Buffer.concat(pieces);
      this.#handler.onEvent(joined, 0, joined.length, type);
    }
    // The chunks are not held past their event.
    this.#firstBuf = EMPTY;
    for (let i = 0; i < parts - 1; i++) this.#moreBufs![i] = EMPTY;
  }
}

const LF_BYTES = Buffer.from('\n');
