import type { Socket } from 'node:net';
import { fastNowUs, nowUs } from '../clock.js';
import type { SseSpec } from '../profiles/profile-types.js';
import { DEFAULT_SSE_RETRY_MS } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { ChunkedDecoder, hostHeader, requestHead, ResponseHeadReader, type BodySink } from './raw-http1.js';
import { ownRawSocket, rawConnectOptions, reopenClient } from './raw-socket-reads.js';
import { topicRequest } from './request-parts.js';
import { SseParser, type SseHandler } from './sse-parser.js';

/** What node:http adds to the reference client's request (no agent: the connection is not reused). */
const NODE_HEADERS = { Connection: 'close' };

/** The response headers whose values the client reads. */
const KEPT_HEADERS = ['content-type'];

const HEAD = 0;
const STREAM = 1;
/** A wrong answer: read to the end and ignored, then the client reconnects. */
const DISCARD = 2;

/**
 * The raw SSE client (`--client raw`): one GET written as prebuilt bytes on a `net` socket,
 * the response head read by hand, a chunked body un-framed in place and handed to the
 * event-stream parser as ranges of the socket's reads (raw-http1.ts). Same profile-driven
 * behaviour as SseClient — URL, headers, event types, the gap comment, `retry:`, resume
 * with Last-Event-ID, reconnect like EventSource. Hand-written because node:http's response
 * streams cost more CPU than the parsing itself: here a socket read costs one clock read.
 */
export class RawSseClient extends ClientBase implements SseHandler, BodySink {
  readonly #parser = new SseParser(this);
  readonly #head = new ResponseHeadReader(KEPT_HEADERS);
  readonly #chunked = new ChunkedDecoder();
  readonly #spec: SseSpec;
  readonly #path: string;
  readonly #host: string;
  readonly #headers: Record<string, string>;
  /** The request head without Last-Event-ID: built once, written on every connect that has no id yet. */
  readonly #plainHead: Buffer;
  readonly #gap: Buffer | undefined;
  #retryMs = DEFAULT_SSE_RETRY_MS;
  #socket: Socket | undefined;
  #state = HEAD;
  #responded = false;
  /** A body with a Content-Length: its bytes still to come. */
  #bodyLeft = 0;
  #receiveUs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: SseSpec) {
    super(env, index, topic);
    this.#spec = spec;
    ({ path: this.#path, headers: this.#headers } = topicRequest(spec, topic));
    this.#host = hostHeader(env.host, env.port);
    this.#plainHead = requestHead('GET', this.#path, this.#host, this.#headers, NODE_HEADERS);
    this.#gap = spec.gapComment !== undefined ? Buffer.from(spec.gapComment) : undefined;
  }

  override start(): void {
    this.connecting();
    this.#open();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#socket?.destroy();
  }

  #open(): void {
    if (this.stopped) return;
    this.#parser.reset();
    this.#head.reset();
    this.#chunked.reset();
    this.#state = HEAD;
    this.#responded = false;
    this.env.metrics.requests++;
    this.#socket = ownRawSocket(this.connectOwn(rawConnectOptions(this.env.host, this.env.port)), this);
  }

  connected(): void {
    const lastEventId = this.#parser.lastEventId;
    const head = lastEventId !== '' && this.#spec.resume === 'last-event-id' && this.env.resume ? requestHead('GET', this.#path, this.#host, { ...this.#headers, 'Last-Event-ID': lastEventId }, NODE_HEADERS) : this.#plainHead;
    this.#socket!.write(head);
  }

  /** One socket read: `chunk[0, length)`, valid only during the call (raw-socket-reads.ts). */
  data(chunk: Buffer, length: number): void {
    this.#receiveUs = fastNowUs();
    let pos = 0;
    if (this.#state === HEAD) {
      pos = this.#head.feed(chunk, 0, length);
      if (pos < 0) {
        if (this.#head.failed) this.#wrongAnswer();
        return;
      }
      this.#responded = true;
      const head = this.#head;
      if (head.status !== 200 || !(head.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        this.#wrongAnswer();
        return;
      }
      this.#state = STREAM;
      this.#bodyLeft = head.contentLength;
      this.opened(nowUs());
    }
    if (this.#state !== STREAM || pos >= length) return;
    if (this.#head.chunked) {
      const ended = this.#chunked.feed(chunk, pos, length, this);
      // The stream ended (or its framing broke): the server is done with this response.
      if (ended >= 0 || this.#chunked.failed) this.#socket?.destroy();
    } else if (this.#head.contentLength >= 0) {
      const end = Math.min(length, pos + this.#bodyLeft);
      this.#bodyLeft -= end - pos;
      this.#parser.push(chunk, pos, end);
      if (this.#bodyLeft === 0) this.#socket?.destroy();
    } else {
      this.#parser.push(chunk, pos, length);
    }
  }

  /** A body range from the chunked decoder. */
  body(buf: Buffer, start: number, end: number): void {
    this.#parser.push(buf, start, end);
  }

  /** Not a 200 event stream: counted, and the connection dropped (the client reconnects after `retry`). */
  #wrongAnswer(): void {
    this.env.metrics.protocolErrors++;
    this.#state = DISCARD;
    this.#socket?.destroy();
  }

  onEvent(data: Uint8Array, start: number, end: number, type: string): void {
    if (!this.#spec.events.includes(type === 'message' ? '' : type)) {
      this.env.metrics.otherMessages++;
      return;
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.env.reader.read(this.tracker, buf, start, end, this.#receiveUs);
  }

  onComment(line: Uint8Array, start: number, end: number): void {
    const gap = this.#gap;
    if (gap !== undefined && end - start === gap.length && Buffer.compare(line.subarray(start, end), gap) === 0) this.env.metrics.gaps++;
  }

  onRetry(ms: number): void {
    this.#retryMs = ms;
  }

  /** The stream ended or failed: reconnect after `retry`, as EventSource does. */
  lost(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    if (!this.#responded && !this.everConnected) this.connectFailed();
    this.closed();
    if (this.stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(reopenClient, this.reconnectDelayMs(this.#retryMs), this);
  }

  reopen(): void {
    this.#open();
  }
}
