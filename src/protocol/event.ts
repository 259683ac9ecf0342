/**
 * Event encoding, the one place that knows the event's JSON shape:
 *
 *   {"id":1042,"topic":"t0","origin":"p0","seq":77,"ts":123456789,"data":"xxxxxxxx"}
 *
 * Publishers send the body (origin, seq, ts, data); the server prepends id and topic without
 * re-serialising the publisher's bytes. Receivers read seq/ts/origin/id straight from the
 * bytes (`readEventFields`) — that is the client hot path, so it allocates nothing.
 */

/** Origins rtbench publishes under: `p<n>` for publisher shard n, `c<n>` for client n. */
export function publisherOrigin(shard: number): string {
  return `p${shard}`;
}
export function clientOrigin(clientIndex: number): string {
  return `c${clientIndex}`;
}

/**
 * A number naming an origin without allocating: `p<n>` → -(n+1), `c<n>` → n; anything
 * else → NaN (an event rtbench did not publish, which receivers ignore).
 */
export function originKey(origin: string): number {
  if (origin.length < 2) return NaN;
  let n = 0;
  for (let i = 1; i < origin.length; i++) {
    const c = origin.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  const kind = origin.charCodeAt(0);
  return kind === 99 /* c */ ? n : kind === 112 /* p */ ? -(n + 1) : NaN;
}

/** A `data` value of `payloadBytes` ASCII bytes (JSON-safe, so the byte count is exact). */
export function payloadPadding(payloadBytes: number): string {
  return 'x'.repeat(payloadBytes);
}

/** The publish body for one event. `data` is already JSON-safe (see payloadPadding). */
export function encodeEventBody(origin: string, seq: number, tsUs: number, data: string): string {
  return `{"origin":"${origin}","seq":${seq},"ts":${tsUs},"data":"${data}"}`;
}

/**
 * The server's one serialisation of an event: id and topic prepended to the publisher's
 * body, whose bytes are kept as sent. `body` must be the trimmed text of a JSON object
 * without `id`/`topic` keys; `bodyIsEmpty` says it is `{}` (so no comma follows topic).
 */
export function stampEvent(id: number, topicJson: string, body: string, bodyIsEmpty: boolean): Buffer {
  const head = `{"id":${id},"topic":${topicJson}`;
  return Buffer.from(bodyIsEmpty ? `${head}}` : `${head},${body.slice(1)}`);
}

/** What a receiver needs from an event. One instance is reused for every message. */
export interface EventFields {
  id: number;
  seq: number;
  tsUs: number;
  originKey: number;
}

export function newEventFields(): EventFields {
  return { id: NaN, seq: NaN, tsUs: NaN, originKey: NaN };
}

const ID_KEY = Buffer.from('"id"');
const SEQ_KEY = Buffer.from('"seq"');
const TS_KEY = Buffer.from('"ts"');
const ORIGIN_KEY = Buffer.from('"origin"');

/**
 * Reads id, seq, ts and origin of the event JSON in `buf[start, end)` into `out`.
 * Returns false when seq, ts or origin is missing or malformed (id may be absent: a
 * server that does not number events still lets rtbench measure latency and loss).
 * Hand-written because it runs once per delivered message: a JSON.parse would allocate an
 * object and a string per message; this allocates nothing.
 */
export function readEventFields(buf: Uint8Array, start: number, end: number, out: EventFields): boolean {
  out.id = readIntAfter(buf, ID_KEY, start, end);
  out.seq = readIntAfter(buf, SEQ_KEY, start, end);
  out.tsUs = readIntAfter(buf, TS_KEY, start, end);
  out.originKey = readOriginAfter(buf, start, end);
  return out.seq === out.seq && out.tsUs === out.tsUs && out.originKey === out.originKey;
}

/** Position just after `"key"` and its colon (whitespace allowed around it), or -1. */
function indexOfKey(buf: Uint8Array, key: Buffer, start: number, end: number): number {
  let from = start;
  for (;;) {
    const at = Buffer.prototype.indexOf.call(buf, key, from) as number;
    if (at < 0 || at + key.length > end) return -1;
    const colon = skipSpaces(buf, at + key.length, end);
    if (buf[colon] === 58 /* : */ && colon < end) return colon + 1;
    from = at + 1; // the key's text appeared as a value; look further
  }
}

function skipSpaces(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end && (buf[pos] === 32 || buf[pos] === 9 || buf[pos] === 10 || buf[pos] === 13)) pos++;
  return pos;
}

function readIntAfter(buf: Uint8Array, key: Buffer, start: number, end: number): number {
  let pos = indexOfKey(buf, key, start, end);
  if (pos < 0) return NaN;
  pos = skipSpaces(buf, pos, end);
  let negative = false;
  if (buf[pos] === 45 /* - */) {
    negative = true;
    pos++;
  }
  const first = pos;
  let n = 0;
  while (pos < end) {
    const c = buf[pos] - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    pos++;
  }
  if (pos === first) return NaN;
  return negative ? -n : n;
}

function readOriginAfter(buf: Uint8Array, start: number, end: number): number {
  let pos = indexOfKey(buf, ORIGIN_KEY, start, end);
  if (pos < 0) return NaN;
  pos = skipSpaces(buf, pos, end);
  if (buf[pos] !== 34 /* " */) return NaN;
  const kind = buf[pos + 1];
  pos += 2;
  const first = pos;
  let n = 0;
  while (pos < end && buf[pos] !== 34) {
    const c = buf[pos] - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
    pos++;
  }
  if (pos === first || pos >= end) return NaN;
  return kind === 99 /* c */ ? n : kind === 112 /* p */ ? -(n + 1) : NaN;
}

/**
 * The WebSocket counterpart of poll's `"gap":true` and SSE's `:gap` comment: a text frame
 * sent before the backlog when the `since` cursor fell out of the log.
 */
export const WS_GAP_MESSAGE = '{"gap":true}';
