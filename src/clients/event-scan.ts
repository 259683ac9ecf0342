import { originKeyOfBytes, type EventFields } from '../protocol/event.js';

/**
 * `marker: scan` (DESIGN §2b): finds every rtbench event in a message from any server —
 * inside an envelope, in a batch, in a poll array, or as a JSON string inside another JSON
 * document (a Socket.IO packet `42["message","{\"origin\":…}"]`), where its quotes are
 * escaped. rtbench publishes `{"origin":…,"seq":…,"ts":…,"data":…}` with origin first, so
 * each occurrence of the key `origin` starts one event; seq and ts are read from the keys
 * that follow it in the same object, in any order, JSON whitespace tolerated.
 *
 * Hand-written because it runs once per delivered message: no allocation, and a native
 * Buffer.indexOf jumps between occurrences.
 */

const ORIGIN = Buffer.from('origin');
const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const RBRACE = 125;
const MINUS = 45;

/** Receives each event found. One object per worker: no closure per message. */
export interface ScanSink {
  scanned(fields: EventFields): void;
}

/**
 * Calls `sink.scanned(fields)` for every rtbench event in `buf[start, end)`; returns how many
 * there were. `fields.id` is always NaN (a server's ids come from its own framing).
 */
export function scanEvents(buf: Buffer, start: number, end: number, fields: EventFields, sink: ScanSink): number {
  let count = 0;
  let pos = start;
  while (pos < end) {
    const at = buf.indexOf(ORIGIN, pos);
    if (at < 0 || at + 6 > end) break;
    pos = at + 6;
    if (at - 1 < start || buf[at - 1] !== QUOTE) continue;
    const escaped = at - 2 >= start && buf[at - 2] === BACKSLASH;
    const next = readEvent(buf, pos, end, escaped, fields);
    if (next < 0) continue;
    pos = next;
    count++;
    sink.scanned(fields);
  }
  return count;
}

/**
 * Reads the event whose `origin` key ends at `pos` (just before its closing quote). Returns
 * the position after the last field read, or -1 when this is not an rtbench event.
 */
function readEvent(buf: Buffer, pos: number, end: number, escaped: boolean, out: EventFields): number {
  out.id = NaN;
  out.seq = NaN;
  out.tsUs = NaN;
  out.originKey = NaN;
  pos = quote(buf, pos, end, escaped);
  if (pos < 0) return -1;
  pos = spaces(buf, pos, end);
  if (buf[pos] !== COLON) return -1;
  pos = quote(buf, spaces(buf, pos + 1, end), end, escaped);
  if (pos < 0) return -1;
  const valueStart = pos;
  const valueEnd = stringEnd(buf, pos, end, escaped);
  if (valueEnd < 0) return -1;
  out.originKey = originKeyOfBytes(buf, valueStart, valueEnd);
  if (out.originKey !== out.originKey) return -1;
  pos = quote(buf, valueEnd, end, escaped);
  // The keys after origin, until seq and ts are both read or the object ends.
  for (let keys = 0; keys < 8 && (out.seq !== out.seq || out.tsUs !== out.tsUs); keys++) {
    pos = spaces(buf, pos, end);
    if (buf[pos] !== COMMA) return -1;
    pos = quote(buf, spaces(buf, pos + 1, end), end, escaped);
    if (pos < 0) return -1;
    const key = pos;
    const keyEnd = stringEnd(buf, pos, end, escaped);
    if (keyEnd < 0) return -1;
    pos = spaces(buf, quote(buf, keyEnd, end, escaped), end);
    if (pos < 0 || buf[pos] !== COLON) return -1;
    pos = spaces(buf, pos + 1, end);
    const isSeq = keyEnd - key === 3 && buf[key] === 115 && buf[key + 1] === 101 && buf[key + 2] === 113;
    const isTs = keyEnd - key === 2 && buf[key] === 116 && buf[key + 1] === 115;
    if (isSeq || isTs) {
      let negative = false;
      if (buf[pos] === MINUS) {
        negative = true;
        pos++;
      }
      const first = pos;
      let n = 0;
      while (pos < end && buf[pos] >= 48 && buf[pos] <= 57) n = n * 10 + buf[pos++] - 48;
      if (pos === first) return -1;
      if (isSeq) out.seq = negative ? -n : n;
      else out.tsUs = negative ? -n : n;
    } else {
      // Another key (data, or a server's own): skip a string or a scalar value.
      const q = quote(buf, pos, end, escaped);
      if (q >= 0) {
        const close = stringEnd(buf, q, end, escaped);
        if (close < 0) return -1;
        pos = quote(buf, close, end, escaped);
      } else {
        while (pos < end && buf[pos] !== COMMA && buf[pos] !== RBRACE && buf[pos] !== BACKSLASH) pos++;
      }
    }
  }
  return pos;
}

/** Past a quote at `pos` (`"`, or `\"` in an escaped string); -1 when there is none. */
function quote(buf: Buffer, pos: number, end: number, escaped: boolean): number {
  if (pos < 0) return -1;
  if (escaped) return pos + 1 < end && buf[pos] === BACKSLASH && buf[pos + 1] === QUOTE ? pos + 2 : -1;
  return pos < end && buf[pos] === QUOTE ? pos + 1 : -1;
}

/** Index of the quote (or of the backslash of `\"`) that closes a string starting at `pos`. */
function stringEnd(buf: Buffer, pos: number, end: number, escaped: boolean): number {
  while (pos < end) {
    const b = buf[pos];
    if (escaped) {
      if (b === BACKSLASH) {
        if (buf[pos + 1] === QUOTE) return pos;
        // `\\` followed by an escaped character of the inner string: skip both levels.
        pos += buf[pos + 1] === BACKSLASH ? 3 : 2;
        continue;
      }
    } else {
      if (b === QUOTE) return pos;
      if (b === BACKSLASH) {
        pos += 2;
        continue;
      }
    }
    pos++;
  }
  return -1;
}

function spaces(buf: Buffer, pos: number, end: number): number {
  if (pos < 0) return pos;
  while (pos < end && (buf[pos] === 32 || buf[pos] === 10 || buf[pos] === 13 || buf[pos] === 9)) pos++;
  return pos;
}
