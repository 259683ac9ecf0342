import type { Socket } from 'node:net';
import { fastNowUs, nowUs } from '../clock.js';
import type { WsSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import type { PublishOutcome } from '../publisher/publish-sender.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { hostHeader, requestHead, ResponseHeadReader } from './raw-http1.js';
import { ownRawSocket, rawConnectOptions, reopenClient } from './raw-socket-reads.js';
import { acceptFor, clientFrame, closePayload, newWebSocketKey, Opcode, WsFrameReader, type WsFrameHandler } from './raw-ws-frames.js';
import { publishFrameText, topicRequest } from './request-parts.js';

const RECONNECT_MS = 1000;
const SENT: PublishOutcome = { ok: true, status: 0 };
const NOT_OPEN: PublishOutcome = { ok: false, status: 0 };
/** After sending a close, how long to wait for the server to close the TCP connection. */
const CLOSE_TIMEOUT_MS = 2000;

/** The handshake answer's headers the client checks. */
const KEPT_HEADERS = ['upgrade', 'sec-websocket-accept', 'sec-websocket-protocol'];

/** No frames to send on open (the usual case), shared. */
const NO_FRAMES: readonly Buffer[] = [];

const CONNECTING = 0;
const HANDSHAKE = 1;
const OPEN = 2;
const CLOSING = 3;

/**
 * The raw WebSocket client (`--client raw`): the opening handshake and the framing written
 * by hand on a `net` socket (raw-http1.ts, raw-ws-frames.ts), the same profile-driven
 * behaviour as WsClient — URL, headers, subprotocols, frames sent on open, publish frames,
 * the gap message, resume with the last event id, reconnect after 1 s (or the scenario's
 * backoff). Hand-written because ws's stream machinery was most of the generator's CPU: here
 * a socket read costs one clock read and the messages in it are read in place.
 */
export class RawWsClient extends ClientBase implements WsFrameHandler {
  readonly #spec: WsSpec;
  readonly #path: string;
  readonly #host: string;
  readonly #headers: Record<string, string>;
  readonly #onOpen: readonly Buffer[];
  readonly #gap: Buffer | undefined;
  readonly #head = new ResponseHeadReader(KEPT_HEADERS);
  readonly #frames = new WsFrameReader(this);
  #socket: Socket | undefined;
  #state = CONNECTING;
  #key = '';
  #lastId = NaN;
  #receiveUs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: WsSpec) {
    super(env, index, topic);
    this.#spec = spec;
    const { vars, path, headers } = topicRequest(spec, topic);
    this.#path = path;
    this.#headers = headers;
    this.#host = hostHeader(env.host, env.port);
    this.#onOpen = spec.onOpen.length === 0 ? NO_FRAMES : spec.onOpen.map((t) => Buffer.from(renderTemplate(t, vars)));
    this.#gap = spec.gapMessage !== undefined ? Buffer.from(spec.gapMessage) : undefined;
  }

  override start(): void {
    this.connecting();
    this.#open();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#socket?.destroy();
  }

  override publish(body: string, done: (outcome: PublishOutcome) => void): void {
    const frame = this.#spec.publishFrame;
    if (frame === undefined) {
      super.publish(body, done);
      return;
    }
    this.env.metrics.publishRequests++;
    const socket = this.#socket;
    if (socket === undefined || this.#state !== OPEN) {
      this.env.metrics.publishErrors++;
      done(NOT_OPEN);
      return;
    }
    const text = publishFrameText(frame, this.topic, body);
    socket.write(clientFrame(Opcode.Text, Buffer.from(text)), (error) => {
      if (error) this.env.metrics.publishErrors++;
      done(error ? NOT_OPEN : SENT);
    });
  }

  #open(): void {
    if (this.stopped) return;
    this.#state = CONNECTING;
    this.#head.reset();
    this.#frames.reset();
    this.env.metrics.requests++;
    const socket = ownRawSocket(this.connectOwn(rawConnectOptions(this.env.host, this.env.port)), this);
    this.#socket = socket;
  }

  connected(): void {
    const resume = this.#spec.resumeQuery;
    const path = resume !== undefined && this.env.resume && this.#lastId === this.#lastId ? `${this.#path}${this.#path.includes('?') ? '&' : '?'}${resume}=${this.#lastId}` : this.#path;
    this.#key = newWebSocketKey();
    // The headers in the order ws writes them (the profile's first), so the server answers alike.
    const headers: Record<string, string> = {
      ...this.#headers,
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': this.#key,
      Connection: 'Upgrade',
      Upgrade: 'websocket',
    };
    if (this.#spec.subprotocols.length > 0) headers['Sec-WebSocket-Protocol'] = this.#spec.subprotocols.join(',');
    this.#state = HANDSHAKE;
    this.#socket!.write(requestHead('GET', path, this.#host, headers));
  }

  /** One socket read: `chunk[0, length)`, valid only during the call (raw-socket-reads.ts). */
  data(chunk: Buffer, length: number): void {
    this.#receiveUs = fastNowUs();
    let pos = 0;
    if (this.#state === HANDSHAKE) {
      pos = this.#head.feed(chunk, 0, length);
      if (pos < 0) {
        if (this.#head.failed) this.#refuse();
        return;
      }
      if (!this.#handshakeAccepted()) return;
    }
    if (this.#state === OPEN || this.#state === CLOSING) this.#frames.feed(chunk, pos, length);
  }

  #handshakeAccepted(): boolean {
    const head = this.#head;
    if (head.status !== 101) return this.#refuse();
    const protocol = head.headers.get('sec-websocket-protocol');
    const protocolOk = this.#spec.subprotocols.length === 0 ? protocol === undefined : protocol !== undefined && this.#spec.subprotocols.includes(protocol);
    if (head.headers.get('upgrade')?.toLowerCase() !== 'websocket' || head.headers.get('sec-websocket-accept') !== acceptFor(this.#key) || !protocolOk) return this.#refuse();
    this.#state = OPEN;
    this.opened(nowUs());
    const socket = this.#socket!;
    for (const frame of this.#onOpen) socket.write(clientFrame(Opcode.Text, frame));
    return true;
  }

  /** The upgrade was refused or its answer was wrong: counted, and the connection dropped. */
  #refuse(): false {
    this.env.metrics.protocolErrors++;
    this.#state = CLOSING;
    this.#socket?.destroy();
    return false;
  }

  onMessage(buf: Buffer, start: number, end: number): void {
    const gap = this.#gap;
    if (gap !== undefined && startsWith(buf, start, end, gap)) {
      this.env.metrics.gaps++;
      return;
    }
    const reader = this.env.reader;
    reader.read(this.tracker, buf, start, end, this.#receiveUs);
    if (reader.lastId === reader.lastId) this.#lastId = reader.lastId;
  }

  onPing(buf: Buffer, start: number, end: number): void {
    if (this.#state === OPEN) this.#socket!.write(clientFrame(Opcode.Pong, buf.subarray(start, end)));
  }

  onPong(): void {}

  onClose(code: number): void {
    // Echo the close (RFC 6455 §5.5.1), then wait for the server to close the TCP connection.
    this.#closeWith(code === 1005 ? Buffer.alloc(0) : closePayload(code));
  }

  onProtocolError(code: number, reason: string): void {
    this.env.metrics.protocolErrors++;
    this.#closeWith(closePayload(code, reason));
  }

  #closeWith(payload: Buffer): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state === CLOSING) return;
    this.#state = CLOSING;
    socket.end(clientFrame(Opcode.Close, payload));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(destroySocket, CLOSE_TIMEOUT_MS, socket);
  }

  lost(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#frames.stop();
    if (!this.everConnected && !this.stopped) this.connectFailed();
    this.closed();
    if (this.stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(reopenClient, this.reconnectDelayMs(RECONNECT_MS), this);
  }

  reopen(): void {
    this.#open();
  }
}

/**
 * `buf[start, end)` begins with `prefix`. A byte loop, not Buffer#compare: it runs on every
 * message, and an event differs from the gap message in its first bytes (a native call costs more).
 */
function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  const n = prefix.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}
