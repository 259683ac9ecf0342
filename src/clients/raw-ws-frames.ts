import { isUtf8 } from 'node:buffer';
import { createHash, randomFillSync } from 'node:crypto';

/**
 * The client side of WebSocket framing (RFC 6455 §5) on bytes, by hand. Hand-written because
 * it is the WebSocket client's hot path: with `ws`, most of the generator's CPU went to its
 * stream machinery and an object per message. Here a message that sits whole in one socket
 * read is handed over as a range of that read — no copy, no object; a fragmented message or
 * one split across reads is gathered into one buffer that grows and is reused.
 *
 * What a client must do (RFC 6455 §5.1–§5.5, §7.4): refuse masked server frames, non-zero
 * RSV bits (no extension is negotiated), unknown opcodes, fragmented or oversized (> 125 B)
 * control frames, a continuation with no message begun, a data frame inside a fragmented
 * message, 64-bit lengths with the top bit set (1002); text that is not UTF-8 (1007); a close
 * with a 1-byte body or a code that may not be sent (1002). Control frames may arrive
 * between the fragments of a message. Every length encoding (7-bit, 16-bit, 64-bit) is read
 * however the header is cut.
 */

/** What the reader hands over; every range is valid only during the call. */
export interface WsFrameHandler {
  /** A whole message: `buf[start, end)`; text unless `binary`. */
  onMessage(buf: Buffer, start: number, end: number, binary: boolean): void;
  onPing(buf: Buffer, start: number, end: number): void;
  onPong(buf: Buffer, start: number, end: number): void;
  /** The server's close frame: its code (1005 when it had none) and reason bytes. */
  onClose(code: number, buf: Buffer, start: number, end: number): void;
  /** The server broke the protocol; the client must close with `code` (1002, 1007 or 1009). */
  onProtocolError(code: number, reason: string): void;
}

/** Largest message gathered: a server sending more is refused with 1009 (ws's default maxPayload is 100 MiB). */
export const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

const HEADER: number = 0;
const PAYLOAD: number = 1;
const STOPPED: number = 2;

/** The empty message, shared: a reader's message buffer until a message must be gathered. */
const NO_BYTES = Buffer.alloc(0);

export class WsFrameReader {
  readonly #handler: WsFrameHandler;
  #state = HEADER;
  // The buffers below are made when first needed, not per connection: most connections never
  // see a header, a control frame or a message cut across reads, and at 50k connections each
  // Buffer held is ~200 bytes of the generator's memory per connection (issue 11).
  /** Header bytes of a header cut across reads (at most 14: 2 + 8 + a mask the server must not send). */
  #header: Buffer | undefined;
  #headerHave = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #remaining = 0;
  // A message gathered across frames or reads.
  #message = NO_BYTES;
  #messageLength = 0;
  /** 0 outside a fragmented message, else its opcode (1 text, 2 binary). */
  #fragmentedOpcode = 0;
  /** The current data frame's payload is being gathered (not handed over in place). */
  #gathering = false;
  // A control frame's payload cut across reads.
  #control: Buffer | undefined;
  #controlHave = 0;

  constructor(handler: WsFrameHandler) {
    this.#handler = handler;
  }

  /** A new connection. */
  reset(): void {
    this.#state = HEADER;
    this.#headerHave = 0;
    this.#messageLength = 0;
    this.#fragmentedOpcode = 0;
    this.#gathering = false;
    this.#controlHave = 0;
    if (this.#message.length > 65536) this.#message = NO_BYTES;
  }

  /** Stops reading (after a close or a protocol error): later bytes are ignored. */
  stop(): void {
    this.#state = STOPPED;
  }

  feed(buf: Buffer, start: number, end: number): void {
    let pos = start;
    while (pos < end && this.#state !== STOPPED) {
      if (this.#state === HEADER) {
        pos = this.#readHeader(buf, pos, end);
        if (pos < 0) return;
        // A zero-length frame ends at its header.
        if (this.#remaining === 0 && this.#state === PAYLOAD) {
          if (this.#opcode >= 8) this.#frameEnded(NO_BYTES, 0, 0);
          else if (this.#fin && this.#fragmentedOpcode === 0) this.#frameEnded(buf, pos, pos);
          else this.#frameEnded(this.#message, 0, this.#messageLength);
        }
        continue;
      }
      // PAYLOAD
      const available = end - pos;
      const opcode = this.#opcode;
      if (opcode >= 8) {
        const take = Math.min(available, this.#remaining);
        const control = (this.#control ??= Buffer.alloc(125));
        buf.copy(control, this.#controlHave, pos, pos + take);
        this.#controlHave += take;
        this.#remaining -= take;
        pos += take;
        if (this.#remaining === 0) this.#frameEnded(control, 0, this.#controlHave);
        continue;
      }
      if (!this.#gathering && this.#fin && this.#fragmentedOpcode === 0 && available >= this.#remaining) {
        // The common case: a whole unfragmented message inside this read.
        const endOfFrame = pos + this.#remaining;
        this.#remaining = 0;
        this.#frameEnded(buf, pos, endOfFrame);
        pos = endOfFrame;
        continue;
      }
      // Gather: a message split across reads or frames.
      if (!this.#gathering) {
        this.#gathering = true;
        if (!this.#grow(this.#messageLength + this.#remaining)) return;
      }
      const take = Math.min(available, this.#remaining);
      buf.copy(this.#message, this.#messageLength, pos, pos + take);
      this.#messageLength += take;
      this.#remaining -= take;
      pos += take;
      if (this.#remaining === 0) this.#frameEnded(this.#message, 0, this.#messageLength);
    }
  }

  /** Reads a frame header from `pos`; returns the position after it, or -1 when the read ended inside it (or it was refused). */
  #readHeader(buf: Buffer, pos: number, end: number): number {
    let h: Buffer;
    let at: number;
    /** Where the payload starts in `buf`, once the header's size is known (gathered: already there). */
    let after = -1;
    if (this.#headerHave === 0 && end - pos >= 10) {
      h = buf;
      at = pos;
    } else {
      // Gather the header's bytes: first 2, then as many as its length field needs.
      const header = (this.#header ??= Buffer.alloc(14));
      while (this.#headerHave < 2 && pos < end) header[this.#headerHave++] = buf[pos++];
      if (this.#headerHave < 2) return -1;
      const need = headerLength(header[1]);
      while (this.#headerHave < need && pos < end) header[this.#headerHave++] = buf[pos++];
      if (this.#headerHave < need) return -1;
      this.#headerHave = 0;
      h = header;
      at = 0;
      after = pos;
    }
    const b0 = h[at];
    const b1 = h[at + 1];
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return this.#fail(1002, 'RSV bits set without an extension');
    if ((b1 & 0x80) !== 0) return this.#fail(1002, 'a server frame must not be masked');
    let length = b1 & 0x7f;
    let size = 2;
    if (length === 126) {
      length = (h[at + 2] << 8) | h[at + 3];
      size = 4;
    } else if (length === 127) {
      const high = h.readUInt32BE(at + 2);
      if (high > 0x1fffff) return this.#fail(1009, 'payload length above 2^53 - 1');
      length = high * 4294967296 + h.readUInt32BE(at + 6);
      size = 10;
    }
    if (opcode >= 8) {
      if (opcode > 10) return this.#fail(1002, `unknown opcode ${opcode}`);
      if (!fin) return this.#fail(1002, 'a fragmented control frame');
      if (length > 125) return this.#fail(1002, 'a control frame longer than 125 bytes');
      this.#controlHave = 0;
    } else if (opcode === 0) {
      if (this.#fragmentedOpcode === 0) return this.#fail(1002, 'a continuation frame with no message begun');
    } else if (opcode <= 2) {
      if (this.#fragmentedOpcode !== 0) return this.#fail(1002, 'a new message inside a fragmented one');
      this.#messageLength = 0;
      if (!fin) this.#fragmentedOpcode = opcode;
    } else {
      return this.#fail(1002, `unknown opcode ${opcode}`);
    }
    if (opcode < 8 && this.#messageLength + length > MAX_MESSAGE_BYTES) return this.#fail(1009, 'message too big');
    this.#fin = fin;
    this.#opcode = opcode;
    this.#remaining = length;
    this.#state = PAYLOAD;
    return after >= 0 ? after : pos + size;
  }

  #grow(length: number): boolean {
    if (this.#message.length >= length) return true;
    const grown = Buffer.allocUnsafe(Math.max(length, this.#message.length * 2, 256));
    this.#message.copy(grown, 0, 0, this.#messageLength);
    this.#message = grown;
    return true;
  }

  /** The frame's payload is complete: `buf[start, end)` is the message (data) or the control payload. */
  #frameEnded(buf: Buffer, start: number, end: number): void {
    this.#state = HEADER;
    const opcode = this.#opcode;
    const h = this.#handler;
    if (opcode >= 8) {
      if (opcode === 9) h.onPing(buf, start, end);
      else if (opcode === 10) h.onPong(buf, start, end);
      else this.#closeFrame(buf, start, end);
      return;
    }
    this.#gathering = false;
    if (!this.#fin) return; // more fragments to come
    const messageOpcode = opcode === 0 ? this.#fragmentedOpcode : opcode;
    this.#fragmentedOpcode = 0;
    this.#messageLength = 0;
    if (messageOpcode === 1 && !isUtf8Range(buf, start, end)) {
      this.#fail(1007, 'a text message that is not UTF-8');
      return;
    }
    h.onMessage(buf, start, end, messageOpcode === 2);
  }

  #closeFrame(buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length === 1) {
      this.#fail(1002, 'a close frame with a 1-byte body');
      return;
    }
    let code = 1005;
    if (length >= 2) {
      code = (buf[start] << 8) | buf[start + 1];
      if (!closeCodeAllowed(code)) {
        this.#fail(1002, `invalid close code ${code}`);
        return;
      }
      if (!isUtf8Range(buf, start + 2, end)) {
        this.#fail(1007, 'a close reason that is not UTF-8');
        return;
      }
    }
    this.#state = STOPPED;
    this.#handler.onClose(code, buf, length >= 2 ? start + 2 : start, end);
  }

  #fail(code: number, reason: string): -1 {
    this.#state = STOPPED;
    this.#handler.onProtocolError(code, reason);
    return -1;
  }
}

/** The header's length in bytes from its second byte (mask bit included, though a server must not set it). */
function headerLength(b1: number): number {
  const length = b1 & 0x7f;
  return (length === 126 ? 4 : length === 127 ? 10 : 2) + (b1 & 0x80 ? 4 : 0);
}

/** Codes a peer may send (RFC 6455 §7.4.1, §11.7). */
function closeCodeAllowed(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** UTF-8 validity of `buf[start, end)`: ASCII checked in a loop (every rtbench event), anything else natively. */
export function isUtf8Range(buf: Buffer, start: number, end: number): boolean {
  // The bytes OR-ed four at a time: no branch per byte (every message passes through here).
  let bits = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) bits |= buf[i] | buf[i + 1] | buf[i + 2] | buf[i + 3];
  for (; i < end; i++) bits |= buf[i];
  return bits < 0x80 || isUtf8(buf.subarray(start, end));
}

/** Opcodes of the frames a client sends. */
export const Opcode = { Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

/** Random masking keys, drawn from a pool refilled 1024 keys at a time. */
const maskPool = Buffer.alloc(4096);
let maskAt = maskPool.length;

/**
 * One masked client frame (RFC 6455 §5.3: every client frame is masked with a fresh random
 * key), FIN set, as a new buffer ready to write.
 */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const headerBytes = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 4294967296), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  const k = headerBytes - 4;
  maskPool.copy(frame, k, maskAt, maskAt + 4);
  maskAt += 4;
  for (let i = 0; i < length; i++) frame[headerBytes + i] = payload[i] ^ frame[k + (i & 3)];
  return frame;
}

/** A close frame's payload: the code, then the reason (≤ 123 bytes). */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason).subarray(0, 123);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A fresh Sec-WebSocket-Key (16 random bytes, base64). */
export function newWebSocketKey(): string {
  return randomFillSync(Buffer.alloc(16)).toString('base64');
}

/** The Sec-WebSocket-Accept a server must answer `key` with (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}
