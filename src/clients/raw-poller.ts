import type { Socket } from 'node:net';
import { fastNowUs } from '../clock.js';
import type { PollSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import { newEventFields, type EventFields } from '../protocol/event.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { scanEvents, type ScanSink } from './event-scan.js';
import { Answer } from './http-poller.js';
import { readPollAnswer } from './poll-reader.js';
import { ChunkedDecoder, hostHeader, requestHead, ResponseHeadReader, type BodySink } from './raw-http1.js';
import { ownRawSocket, rawConnectOptions } from './raw-socket-reads.js';
import { renderHeaders, topicVars } from './request-parts.js';

/** Stands for the cursor while the URL is rendered, to cut the request head around it. */
const CURSOR_MARK = '\u0000cursor\u0000';
/** What node:http's keep-alive agent adds to the reference poller's requests. */
const NODE_HEADERS = { Connection: 'keep-alive' };

/**
 * Whether the raw poller can speak this profile's polling: protocol-v1 answers
 * (`{"next":N,"events":[…]}`) with the cursor from `next`, sent in the URL. Anything else
 * (header cursors, other body shapes) is left to the reference poller (HttpPoller).
 */
export function rawPollerSupports(spec: PollSpec): boolean {
  return spec.body.kind === 'v1' && spec.cursorFrom.kind === 'json' && spec.cursorFrom.path.length === 1 && spec.cursorFrom.path[0] === 'next' && spec.cursorHeaders.length === 0 && spec.initialCursor === undefined && !spec.drain;
}

/**
 * What raw polling and long-polling share (the raw counterpart of HttpPoller, same contract
 * for its subclasses: `send`, `hasCursor`, `scheduleNext`): one keep-alive `net` socket,
 * request heads built once per client as bytes with only the cursor's digits written per
 * request, and protocol-v1 answers read in place — the head in one pass, `next` and the
 * events found in the body's bytes (event-scan.ts), no JSON.parse, no string per poll.
 * Hand-written because node:http spent most of a poll's CPU on a ClientRequest and a fresh
 * latin1 head per request. An answer whose shape the byte reading cannot vouch for (an event
 * that is not rtbench's, a body not in the server's layout) is read by the reference path
 * (readPollAnswer) from the same bytes, so the figures are the same either way.
 */
export abstract class RawHttpPoller extends ClientBase implements BodySink, ScanSink {
  protected readonly spec: PollSpec;
  /** Known once the first answer came. */
  protected hasCursor = false;
  readonly #host: string;
  /** The first request (no cursor), whole. */
  readonly #firstHead: Buffer;
  /** A request with a cursor: head bytes before it and after it; the cursor goes between, in #scratch. */
  readonly #before: Buffer;
  readonly #after: Buffer;
  #scratch: Buffer;
  #cursor = '';
  readonly #head = new ResponseHeadReader();
  readonly #chunked = new ChunkedDecoder();
  readonly #fields: EventFields = newEventFields();
  #socket: Socket | undefined;
  #sockets = 0;
  /** A request is out and its answer not complete. */
  #pending = false;
  #inBody = false;
  /** Body bytes still to come (Content-Length), -1 for chunked or read-to-close. */
  #bodyLeft = -1;
  /** The body, when it did not arrive whole in one read. */
  #body = Buffer.alloc(0);
  #bodyLength = 0;
  #gathering = false;
  #receiveUs = 0;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: PollSpec, extraVars: Record<string, string> = {}) {
    super(env, index, topic);
    this.spec = spec;
    const vars: Record<string, string> = { ...topicVars(topic), ...extraVars };
    const headers = renderHeaders(spec.headers, vars);
    this.#host = hostHeader(env.host, env.port);
    this.#firstHead = requestHead('GET', renderTemplate(spec.firstUrl, vars), this.#host, headers, NODE_HEADERS);
    const marked = requestHead('GET', renderTemplate(spec.url, { ...vars, cursor: CURSOR_MARK }), this.#host, headers, NODE_HEADERS);
    const at = marked.indexOf(CURSOR_MARK, 0, 'latin1');
    this.#before = marked.subarray(0, at);
    this.#after = marked.subarray(at + CURSOR_MARK.length);
    this.#scratch = Buffer.alloc(this.#before.length + 20 + this.#after.length);
    this.#before.copy(this.#scratch, 0);
  }

  /** Called after each answer (or failure); schedules the next request. */
  protected abstract scheduleNext(answer: Answer): void;

  override start(): void {
    this.connecting();
    this.send();
  }

  protected override close(): void {
    this.#socket?.destroy();
  }

  protected send(): void {
    if (this.stopped) return;
    this.env.metrics.requests++;
    let socket = this.#socket;
    if (socket === undefined) {
      // One keep-alive socket: a socket opened after the first is a reconnect (as HttpPoller counts it).
      if (this.#sockets++ > 0) this.env.metrics.reconnects++;
      socket = ownRawSocket(this.connectOwn(rawConnectOptions(this.env.host, this.env.port)), this);
      this.#socket = socket;
    }
    this.#pending = true;
    this.#inBody = false;
    this.#head.reset();
    if (!this.hasCursor) {
      socket.write(this.#firstHead);
    } else {
      // The scratch head is free again: its last write was sent before its answer came.
      const cursor = this.#cursor;
      const scratch = this.#scratch;
      let pos = this.#before.length;
      pos += scratch.write(cursor, pos, 'latin1');
      pos += this.#after.copy(scratch, pos);
      socket.write(scratch.subarray(0, pos));
    }
    if (this.spec.connectedWhen === 'sent' && !this.everConnected) this.opened(fastNowUs());
  }

  /** One socket read: `chunk[0, length)`, valid only during the call. */
  data(chunk: Buffer, length: number): void {
    if (!this.#pending) return;
    this.#receiveUs = fastNowUs();
    let pos = 0;
    if (!this.#inBody) {
      pos = this.#head.feed(chunk, 0, length);
      if (pos < 0) {
        if (this.#head.failed) this.#socket?.destroy();
        return;
      }
      this.#inBody = true;
      this.#gathering = false;
      this.#bodyLength = 0;
      this.#bodyLeft = this.#head.chunked ? -1 : this.#head.contentLength;
      if (this.#head.chunked) this.#chunked.reset();
      if (this.#bodyLeft === 0 || this.#head.status === 304 || this.#head.status === 204) {
        this.#completed(chunk, pos, pos);
        return;
      }
    }
    if (this.#head.chunked) {
      this.#gathering = true;
      const end = this.#chunked.feed(chunk, pos, length, this);
      if (this.#chunked.failed) this.#socket?.destroy();
      else if (end >= 0) this.#completed(this.#body, 0, this.#bodyLength);
      return;
    }
    if (this.#bodyLeft < 0) {
      // No length: the body runs to the close.
      this.#gathering = true;
      this.body(chunk, pos, length);
      return;
    }
    const available = length - pos;
    if (!this.#gathering && available >= this.#bodyLeft) {
      // The common case: the whole body in this read.
      this.#completed(chunk, pos, pos + this.#bodyLeft);
      return;
    }
    this.#gathering = true;
    const take = Math.min(available, this.#bodyLeft);
    this.body(chunk, pos, pos + take);
    this.#bodyLeft -= take;
    if (this.#bodyLeft === 0) this.#completed(this.#body, 0, this.#bodyLength);
  }

  /** Body bytes gathered (a body cut across reads, or chunked). */
  body(buf: Buffer, start: number, end: number): void {
    const need = this.#bodyLength + (end - start);
    if (need > this.#body.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#body.length * 2, 1024));
      this.#body.copy(grown, 0, 0, this.#bodyLength);
      this.#body = grown;
    }
    buf.copy(this.#body, this.#bodyLength, start, end);
    this.#bodyLength = need;
  }

  #completed(body: Buffer, start: number, end: number): void {
    this.#pending = false;
    const head = this.#head;
    const status = head.status;
    const metrics = this.env.metrics;
    let answer: Answer;
    if (this.spec.emptyStatus.includes(status)) {
      metrics.emptyResponses++;
      answer = Answer.Empty;
    } else if (status >= 200 && status < 300) {
      answer = this.#read(body, start, end);
    } else {
      metrics.protocolErrors++;
      answer = Answer.Failed;
    }
    // The server will close this connection: the next request opens another.
    if (head.connectionClose) this.#socket?.destroy();
    if (answer === Answer.Failed) {
      this.scheduleNext(answer);
      return;
    }
    this.hasCursor = true;
    this.succeeded();
    this.opened(this.#receiveUs);
    this.scheduleNext(answer);
  }

  /** A protocol-v1 answer: its events delivered, the next cursor kept. */
  #read(buf: Buffer, start: number, end: number): Answer {
    const fast = this.#readInPlace(buf, start, end);
    if (fast !== undefined) return fast;
    // The reference reading, on the same bytes.
    const next = readPollAnswer(this.env.metrics, this.tracker, buf.toString('utf8', start, end), this.#receiveUs);
    if (next === undefined) return Answer.Failed;
    this.#cursor = String(next.cursor);
    return next.events > 0 ? Answer.Messages : Answer.Empty;
  }

  /**
   * `{"next":N,["gap":true,]"events":[E,…]}` as the reference server lays it out, each event
   * `{"id":…}` and an rtbench event: delivered from the bytes. Undefined (nothing counted)
   * when the body is laid out otherwise or holds an event that is not rtbench's.
   */
  #readInPlace(buf: Buffer, start: number, end: number): Answer | undefined {
    if (end - start < 20 || buf.compare(NEXT, 0, NEXT.length, start, start + NEXT.length) !== 0 || buf[end - 1] !== RBRACE || buf[end - 2] !== RBRACKET) return undefined;
    let pos = start + NEXT.length;
    const digitsStart = pos;
    while (pos < end && buf[pos] >= 48 && buf[pos] <= 57) pos++;
    if (pos === digitsStart || pos - digitsStart > 15) return undefined;
    const cursorEnd = pos;
    let gap = false;
    if (buf.compare(GAP, 0, GAP.length, pos, pos + GAP.length) === 0) {
      gap = true;
      pos += GAP.length;
    }
    if (buf.compare(EVENTS, 0, EVENTS.length, pos, pos + EVENTS.length) !== 0) return undefined;
    pos += EVENTS.length;
    const eventsEnd = end - 2;
    // Every event the server sends starts `{"id":`; each must be an rtbench event.
    let objects = 0;
    for (let at = buf.indexOf(EVENT_START, pos); at >= 0 && at < eventsEnd; at = buf.indexOf(EVENT_START, at + EVENT_START.length)) objects++;
    if (objects === 0 && eventsEnd !== pos) return undefined;
    const metrics = this.env.metrics;
    if (objects > 0) {
      // Count first, deliver after: a body that is not all rtbench events goes to the reference path untouched.
      const counted = scanEvents(buf, pos, eventsEnd, this.#fields, COUNT_ONLY);
      if (counted !== objects) return undefined;
      scanEvents(buf, pos, eventsEnd, this.#fields, this);
    } else {
      metrics.emptyResponses++;
    }
    if (gap) metrics.gaps++;
    this.#cursor = buf.toString('latin1', digitsStart, cursorEnd);
    return objects > 0 ? Answer.Messages : Answer.Empty;
  }

  scanned(fields: EventFields): void {
    this.env.metrics.deliver(this.tracker, fields.originKey, fields.seq, fields.tsUs, this.#receiveUs);
  }

  lost(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    if (this.#pending && this.#inBody && this.#bodyLeft < 0 && !this.#head.chunked) {
      // A body delimited by the close is complete now.
      this.#completed(this.#body, 0, this.#bodyLength);
      return;
    }
    if (!this.#pending) return;
    this.#pending = false;
    this.failed();
  }

  failed(): void {
    if (this.stopped) return;
    if (!this.everConnected) this.connectFailed();
    else this.env.metrics.requestErrors++;
    // A naive client (resume: false) starts over from the head, as a first request does.
    if (!this.env.resume) this.hasCursor = false;
    this.scheduleNext(Answer.Failed);
  }
}

const NEXT = Buffer.from('{"next":');
const GAP = Buffer.from(',"gap":true');
const EVENTS = Buffer.from(',"events":[');
const EVENT_START = Buffer.from('{"id":');
const RBRACE = 125;
const RBRACKET = 93;
const COUNT_ONLY: ScanSink = { scanned() {} };
