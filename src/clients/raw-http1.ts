/**
 * HTTP/1.1 on a byte stream, by hand, for the raw clients (DESIGN §4: the generator must not
 * be the bottleneck). Hand-written because node:http builds a ClientRequest, a header object
 * and strings per request, and its parser hands the body over through streams: on the raw
 * clients' hot path a request head is a Buffer built once, the response head is read in one
 * pass, and a chunked body is un-framed in place, handing ranges of the socket's own chunks
 * to a sink — no copy, no object per chunk.
 *
 * Nothing here touches a socket: the parsers take bytes and the builder returns bytes, so a
 * TLS socket (or any Duplex) can carry them unchanged, and an HTTP/2 client can sit beside
 * this one with its own framing and the same sinks.
 */

const CR = 13;
const LF = 10;
const COLON = 58;
/** A response head larger than this is refused (Node's default limit is 16 KiB). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** `host:port` as a Host header value (an IPv6 literal in brackets). */
export function hostHeader(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * A complete HTTP/1.1 request head, as bytes, in the order node:http writes one (so a server
 * answers the raw and the reference clients byte for byte alike): request line, the given
 * headers in order, `Host` (unless `headers` has one), then `after` (node's own headers, such
 * as `Connection`), and the blank line. Values must not contain CR or LF (the profile loader
 * refuses them in templates).
 */
export function requestHead(method: string, path: string, host: string, headers: Readonly<Record<string, string>>, after: Readonly<Record<string, string>> = {}): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'host')) head += `Host: ${host}\r\n`;
  for (const [name, value] of Object.entries(after)) {
    if (!Object.keys(headers).some((n) => n.toLowerCase() === name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/**
 * Reads one response head from the bytes of a connection, however they are cut. The status
 * and the framing headers are read as numbers and flags; other header values are kept as
 * strings only when asked for by name (`keep`), since a head arrives once per connection.
 */
const NO_NAMES: readonly string[] = [];

export class ResponseHeadReader {
  status = 0;
  /** Content-Length, or -1 when absent. */
  contentLength = -1;
  chunked = false;
  /** `Connection: close`: the server closes the connection after this response. */
  connectionClose = false;
  /** Header values kept (lower-case names from `keep`), from the last head read. */
  readonly headers = new Map<string, string>();
  /** The head was malformed or too large. */
  failed = false;
  /** Lower-case names of the headers whose values are kept, matched as bytes (no string per header line). */
  readonly #keep: readonly string[];
  #carry: Buffer | undefined;

  /** `keep`: best a module constant, shared by every reader (one array per client is memory per connection). */
  constructor(keep: readonly string[] = NO_NAMES) {
    this.#keep = keep.every((n) => n === n.toLowerCase()) ? keep : keep.map((n) => n.toLowerCase());
  }

  /** Forgets a half-read head (a new connection). */
  reset(): void {
    this.#carry = undefined;
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.connectionClose = false;
    this.failed = false;
    // Map#clear allocates a new table even when empty: a poller resets once per request.
    if (this.headers.size > 0) this.headers.clear();
  }

  /**
   * Feeds `chunk[start, end)`. Returns the index in `chunk` just past the head once it is
   * complete (the body starts there), or -1 when more bytes are needed or the head failed
   * (`failed` tells which).
   */
  feed(chunk: Buffer, start: number, end: number): number {
    if (this.#carry === undefined) {
      // One pass: the head is parsed line by line until its blank line; a head cut across
      // reads (rare) is parsed again whole once it is complete.
      const at = this.#parse(chunk, start, end);
      if (at >= 0) return this.failed ? -1 : at;
      if (this.failed) return -1;
      this.#carry = Buffer.from(chunk.subarray(start, end));
    } else {
      const carried = this.#carry.length;
      const joined = Buffer.concat([this.#carry, chunk.subarray(start, end)]);
      // The blank line may straddle the two pieces: search from a little before the join.
      if (headEnd(joined, Math.max(0, carried - 3), joined.length) >= 0) {
        this.#carry = undefined;
        const at = this.#parse(joined, 0, joined.length);
        return this.failed ? -1 : start + (at - carried);
      }
      this.#carry = joined;
    }
    if (this.#carry.length > MAX_RESPONSE_HEAD_BYTES) {
      this.#carry = undefined;
      this.failed = true;
    }
    return -1;
  }

  /**
   * Parses the head at `buf[start, …)` up to its blank line, found on the way (no separate
   * search). Returns the index just past the blank line, or -1 when `end` came first (the
   * figures read so far are then incomplete: feed parses again once the head is whole) or the
   * status line is malformed (`failed`).
   */
  #parse(buf: Buffer, start: number, end: number): number {
    if (this.headers.size > 0) this.headers.clear();
    this.contentLength = -1;
    this.chunked = false;
    this.connectionClose = false;
    // Status line: HTTP/1.x SP 3DIGIT SP reason
    if (end - start < 12) {
      // Too short for a status line: wrong once the head is known to be complete.
      if (headEnd(buf, start, end) >= 0) this.failed = true;
      return -1;
    }
    if (buf[start] !== 72 || buf[start + 4] !== 47 || buf[start + 8] !== 32) {
      this.failed = true;
      return -1;
    }
    const d0 = buf[start + 9] - 48;
    const d1 = buf[start + 10] - 48;
    const d2 = buf[start + 11] - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      this.failed = true;
      return -1;
    }
    this.status = d0 * 100 + d1 * 10 + d2;
    let pos = start + 12;
    while (pos < end && buf[pos] !== LF) pos++;
    pos++;
    // Header lines until an empty one (LF or CRLF).
    while (pos < end) {
      let eol = pos;
      while (eol < end && buf[eol] !== LF) eol++;
      if (eol === end) return -1;
      const lineEnd = eol > pos && buf[eol - 1] === CR ? eol - 1 : eol;
      if (lineEnd === pos) return eol + 1;
      this.#header(buf, pos, lineEnd);
      pos = eol + 1;
    }
    return -1;
  }

  #header(buf: Buffer, start: number, end: number): void {
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    if (colon === end) return;
    let v = colon + 1;
    while (v < end && (buf[v] === 32 || buf[v] === 9)) v++;
    let ve = end;
    while (ve > v && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    const nameLength = colon - start;
    if (nameLength === 14 && equalsLower(buf, start, 'content-length')) {
      let n = 0;
      for (let i = v; i < ve; i++) {
        const digit = buf[i] - 48;
        if (digit < 0 || digit > 9) {
          this.failed = true;
          return;
        }
        n = n * 10 + digit;
      }
      this.contentLength = n;
    } else if (nameLength === 17 && equalsLower(buf, start, 'transfer-encoding')) {
      // "chunked" must be the last coding (RFC 9112 §6.1); nothing else is supported.
      this.chunked = ve - v >= 7 && equalsLower(buf, ve - 7, 'chunked');
    } else if (nameLength === 10 && equalsLower(buf, start, 'connection')) {
      this.connectionClose = ve - v === 5 && equalsLower(buf, v, 'close');
    }
    const keep = this.#keep;
    for (let i = 0; i < keep.length; i++) {
      if (keep[i].length === nameLength && equalsLower(buf, start, keep[i])) this.headers.set(keep[i], buf.toString('latin1', v, ve));
    }
  }
}

/** Index just past the first CRLFCRLF (or LFLF) in `buf[start, end)`, or -1. */
function headEnd(buf: Buffer, start: number, end: number): number {
  let pos = start;
  while (pos < end) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0 || lf >= end) return -1;
    if (lf + 1 < end && buf[lf + 1] === LF) return lf + 2;
    if (lf + 2 < end && buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
    pos = lf + 1;
  }
  return -1;
}

/** True when `buf[at, at + lower.length)` equals `lower` ignoring ASCII case. */
function equalsLower(buf: Buffer, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const b = buf[at + i];
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Receives body bytes: `buf[start, end)`, valid only during the call. */
export interface BodySink {
  body(buf: Buffer, start: number, end: number): void;
}

const SIZE = 0;
const EXTENSION = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER_START = 6;
const TRAILER_LINE = 7;
const TRAILER_LF = 8;
const DONE = 9;
const FAILED = 10;

/**
 * Un-frames a chunked body (RFC 9112 §7.1) in one pass, state carried across reads, handing
 * each run of data bytes to the sink as a range of the chunk it arrived in. Extensions and
 * trailers are skipped.
 */
export class ChunkedDecoder {
  #state = SIZE;
  #remaining = 0;
  #digits = 0;

  reset(): void {
    this.#state = SIZE;
    this.#remaining = 0;
    this.#digits = 0;
  }

  /** The terminating zero-size chunk and its trailers were read. */
  get done(): boolean {
    return this.#state === DONE;
  }

  get failed(): boolean {
    return this.#state === FAILED;
  }

  /** Feeds `buf[start, end)`; returns the index just past the body when it ended in this range, else -1. */
  feed(buf: Buffer, start: number, end: number, sink: BodySink): number {
    let pos = start;
    let state = this.#state;
    while (pos < end) {
      switch (state) {
        case SIZE: {
          const b = buf[pos];
          const hex = b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;
          if (hex >= 0) {
            if (++this.#digits > 12) {
              state = FAILED;
              break;
            }
            this.#remaining = this.#remaining * 16 + hex;
            pos++;
          } else if (this.#digits === 0) {
            state = FAILED;
          } else if (b === CR) {
            state = SIZE_LF;
            pos++;
          } else if (b === LF) {
            state = this.#remaining === 0 ? TRAILER_START : DATA;
            pos++;
          } else {
            state = EXTENSION; // ";ext" or whitespace before it
            pos++;
          }
          break;
        }
        case EXTENSION: {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0 || lf >= end) {
            pos = end;
            break;
          }
          pos = lf + 1;
          state = this.#remaining === 0 ? TRAILER_START : DATA;
          break;
        }
        case SIZE_LF:
          if (buf[pos] !== LF) {
            state = FAILED;
            break;
          }
          pos++;
          state = this.#remaining === 0 ? TRAILER_START : DATA;
          break;
        case DATA: {
          const take = Math.min(this.#remaining, end - pos);
          sink.body(buf, pos, pos + take);
          pos += take;
          this.#remaining -= take;
          if (this.#remaining === 0) state = DATA_CR;
          break;
        }
        case DATA_CR:
          if (buf[pos] === CR) {
            state = DATA_LF;
            pos++;
          } else if (buf[pos] === LF) {
            state = SIZE;
            this.#digits = 0;
            pos++;
          } else {
            state = FAILED;
          }
          break;
        case DATA_LF:
          if (buf[pos] !== LF) {
            state = FAILED;
            break;
          }
          pos++;
          state = SIZE;
          this.#digits = 0;
          break;
        case TRAILER_START:
          // An empty line ends the body; anything else is a trailer field, skipped.
          if (buf[pos] === CR) {
            state = TRAILER_LF;
            pos++;
          } else if (buf[pos] === LF) {
            this.#state = DONE;
            return pos + 1;
          } else {
            state = TRAILER_LINE;
          }
          break;
        case TRAILER_LINE: {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0 || lf >= end) {
            pos = end;
            break;
          }
          pos = lf + 1;
          state = TRAILER_START;
          break;
        }
        case TRAILER_LF:
          if (buf[pos] !== LF) {
            state = FAILED;
            break;
          }
          this.#state = DONE;
          return pos + 1;
        case DONE:
        case FAILED:
          this.#state = state;
          return -1;
      }
    }
    this.#state = state;
    return -1;
  }
}
