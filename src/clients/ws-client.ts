import WebSocket from 'ws';
import { nowUs } from '../clock.js';
import type { WsSpec } from '../profiles/profile-types.js';
import type { PublishOutcome } from '../publisher/publish-sender.js';
import { renderTemplate } from '../profiles/template.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { publishFrameText, topicRequest } from './request-parts.js';

const RECONNECT_MS = 1000;
/** A frame has no answer: written is "accepted"; status 0 means there was no HTTP status. */
const SENT: PublishOutcome = { ok: true, status: 0 };
const NOT_OPEN: PublishOutcome = { ok: false, status: 0 };

/**
 * WebSocket client (ws, permessage-deflate off), driven by the profile's `transports.ws`:
 * URL, subprotocols, frames sent on open, the publish frame for rooms, and resume. One
 * message may carry any number of events (the marker decides). Reconnects after 1 s, with
 * the last event id in the resume query parameter when the profile has one.
 */
export class WsClient extends ClientBase {
  readonly #spec: WsSpec;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #onOpen: string[];
  readonly #gap: Buffer | undefined;
  #socket: WebSocket | undefined;
  #lastId = NaN;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: WsSpec) {
    super(env, index, topic);
    this.#spec = spec;
    const { vars, path, headers } = topicRequest(spec, topic);
    const host = env.host.includes(':') ? `[${env.host}]` : env.host;
    this.#base = `ws://${host}:${env.port}${path}`;
    this.#headers = headers;
    this.#onOpen = spec.onOpen.map((t) => renderTemplate(t, vars));
    this.#gap = spec.gapMessage !== undefined ? Buffer.from(spec.gapMessage) : undefined;
  }

  override start(): void {
    this.connecting();
    this.#open();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#socket?.terminate();
  }

  override publish(body: string, done: (outcome: PublishOutcome) => void): void {
    const frame = this.#spec.publishFrame;
    if (frame === undefined) {
      super.publish(body, done);
      return;
    }
    const socket = this.#socket;
    this.env.metrics.publishRequests++;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.env.metrics.publishErrors++;
      done(NOT_OPEN);
      return;
    }
    const text = publishFrameText(frame, this.topic, body);
    socket.send(text, (error) => {
      if (error) this.env.metrics.publishErrors++;
      done(error ? NOT_OPEN : SENT);
    });
  }

  #open(): void {
    if (this.stopped) return;
    const resume = this.#spec.resumeQuery;
    const url = resume !== undefined && this.env.resume && this.#lastId === this.#lastId ? `${this.#base}${this.#base.includes('?') ? '&' : '?'}${resume}=${this.#lastId}` : this.#base;
    this.env.metrics.requests++;
    this.env.trace?.(`WebSocket upgrade ${url}${this.#spec.subprotocols.length > 0 ? ` (subprotocols ${this.#spec.subprotocols.join(', ')})` : ''}`);
    const socket = new WebSocket(url, this.#spec.subprotocols.length > 0 ? [...this.#spec.subprotocols] : undefined, {
      perMessageDeflate: false,
      createConnection: (options: object) => this.connectOwn(options),
      headers: this.#headers,
    });
    (socket as Owned)[kClient] = this;
    socket.on('open', onOpen);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.on('unexpected-response', onUnexpectedResponse);
    this.#socket = socket;
  }

  message(data: Buffer): void {
    const receiveUs = nowUs();
    const gap = this.#gap;
    if (gap !== undefined && data.length >= gap.length && data.compare(gap, 0, gap.length, 0, gap.length) === 0) {
      this.env.metrics.gaps++;
      return;
    }
    const reader = this.env.reader;
    const n = reader.read(this.tracker, data, 0, data.length, receiveUs);
    if (reader.lastId === reader.lastId) this.#lastId = reader.lastId;
    this.env.trace?.(`← frame ${data.length} bytes: ${JSON.stringify(data.toString('utf8', 0, Math.min(300, data.length)))} — ${n > 0 ? `rtbench event found (${n})` : 'no rtbench event in it'}`);
  }

  wentOpen(): void {
    this.env.trace?.('← 101 Switching Protocols');
    this.opened(nowUs());
    const socket = this.#socket!;
    for (const frame of this.#onOpen) {
      this.env.trace?.(`→ frame ${JSON.stringify(frame)}`);
      socket.send(frame);
    }
  }

  refused(status: number | undefined): void {
    this.env.trace?.(`← ${status ?? '?'} (the upgrade was refused)`);
    this.env.metrics.protocolErrors++;
  }

  lost(): void {
    if (!this.everConnected && !this.stopped) this.connectFailed();
    this.closed();
    this.#socket = undefined;
    if (this.stopped) return;
    this.#timer = setTimeout(reopen, this.reconnectDelayMs(RECONNECT_MS), this);
  }

  reopen(): void {
    this.#open();
  }
}

const kClient = Symbol('wsClient');
type Owned = WebSocket & { [kClient]?: WsClient };

// Shared listeners reach their client through the socket, not a closure per socket.
function onOpen(this: Owned): void {
  this[kClient]!.wentOpen();
}
function onMessage(this: Owned, data: Buffer): void {
  this[kClient]!.message(data);
}
function onClose(this: Owned): void {
  this[kClient]!.lost();
}
function onError(): void {
  // 'close' follows every 'error'; the client reconnects there.
}
function onUnexpectedResponse(this: Owned, _req: unknown, res: { statusCode?: number; resume(): void; destroy(): void }): void {
  this[kClient]!.refused(res.statusCode);
  res.destroy();
  // ws emits 'close' only after 'error'; abort the attempt so 'close' follows.
  this.terminate();
}
function reopen(client: WsClient): void {
  client.reopen();
}
