import WebSocket from 'ws';
import { nowUs } from '../clock.js';
import { readEventFields } from '../protocol/event.js';
import { Route } from '../protocol/routes.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';

const GAP_PREFIX = Buffer.from('{"gap"');
const RECONNECT_MS = 1000;

/**
 * WebSocket client (ws, permessage-deflate off). One text frame per event; reconnects
 * after 1 s with `since=<last id>` so nothing is missed. Publishes (rooms) on its socket.
 */
export class WsClient extends ClientBase {
  readonly #base: string;
  #socket: WebSocket | undefined;
  #lastId = NaN;
  #timer: NodeJS.Timeout | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string) {
    super(env, index, topic);
    this.#base = `ws://${env.host.includes(':') ? `[${env.host}]` : env.host}:${env.port}${Route.ws}?topic=${encodeURIComponent(topic)}`;
  }

  override start(): void {
    this.connecting();
    this.#open();
  }

  protected override close(): void {
    clearTimeout(this.#timer);
    this.#socket?.terminate();
  }

  override publish(body: string, done: (ok: boolean) => void): void {
    const socket = this.#socket;
    this.env.metrics.publishRequests++;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.env.metrics.publishErrors++;
      done(false);
      return;
    }
    socket.send(body, (error) => {
      if (error) this.env.metrics.publishErrors++;
      done(!error);
    });
  }

  #open(): void {
    if (this.stopped) return;
    const url = this.#lastId === this.#lastId ? `${this.#base}&since=${this.#lastId}` : this.#base;
    this.env.metrics.requests++;
    const socket = new WebSocket(url, { perMessageDeflate: false, createConnection: this.env.connect });
    (socket as Owned)[kClient] = this;
    socket.on('open', onOpen);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
    this.#socket = socket;
  }

  message(data: Buffer): void {
    const receiveUs = nowUs();
    const f = this.env.fields;
    if (readEventFields(data, 0, data.length, f)) {
      if (f.id === f.id) this.#lastId = f.id;
      this.env.metrics.deliver(this.tracker, f.originKey, f.seq, f.tsUs, receiveUs);
    } else if (data.length >= GAP_PREFIX.length && data.compare(GAP_PREFIX, 0, GAP_PREFIX.length, 0, GAP_PREFIX.length) === 0) {
      this.env.metrics.gaps++;
    } else {
      this.env.metrics.protocolErrors++;
    }
  }

  wentOpen(): void {
    this.opened(nowUs());
  }

  lost(): void {
    if (!this.everConnected && !this.stopped) this.connectFailed();
    this.closed();
    this.#socket = undefined;
    if (this.stopped) return;
    this.#timer = setTimeout(reopen, RECONNECT_MS, this);
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
function reopen(client: WsClient): void {
  client.reopen();
}
