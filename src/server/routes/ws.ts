import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { WS_GAP_MESSAGE } from '../../protocol/event.js';
import { Route } from '../../protocol/routes.js';
import { rejectionBody, RequestRejection } from '../http-io.js';
import { optionalCursor, requireTopic } from '../params.js';
import { parsePublishBody } from '../publish-body.js';
import { countRejected } from '../server-stats.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { Topic } from '../hub.js';
import type { LogEntry } from '../topic-log.js';
import { StreamSubscription } from '../stream-subscription.js';

/**
 * `GET /ws?topic=T&since=C` upgraded to a WebSocket on the same HTTP server. Server →
 * client: one text frame per event. Client → server: a text frame holding an event body
 * publishes it to the connection's topic.
 */
export function createUpgradeHandler(ctx: ServerContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: ctx.options.wsPerMessageDeflate,
    maxPayload: ctx.options.maxBodyBytes,
  });
  return (req, socket, head) => {
    // Node stops listening for errors on a socket it hands over for upgrade; until ws takes
    // it (or while a refusal is written), a reset must not become an uncaught 'error'.
    socket.on('error', destroyOnError);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let topic: Topic;
    let cursor: number | undefined;
    try {
      // RFC 6455 §4.1: the opening handshake is an HTTP/1.1 request; an HTTP/1.0 peer
      // (or a proxy speaking it) cannot keep an upgraded connection.
      if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) {
        throw new RequestRejection(400, 'bad_upgrade', `a WebSocket upgrade needs HTTP/1.1, got HTTP/${req.httpVersion}`);
      }
      ctx.access.checkHost(req);
      if (path !== Route.ws) throw new RequestRejection(404, 'not_found', `no WebSocket route ${path.slice(0, 200)}; use ${Route.ws}`);
      ctx.access.checkOrigin(req);
      ctx.stats.requests.ws++;
      const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      topic = topicOrReject(ctx, requireTopic(params));
      cursor = optionalCursor(params.get('since'));
    } catch (error) {
      if (error instanceof RequestRejection) {
        rejectUpgrade(ctx, socket, error);
      } else {
        // A bug in the server: never an uncaught exception from an 'upgrade' listener.
        ctx.stats.clientErrors++;
        socket.destroy();
      }
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => new WsStream(ctx, topic, ws, cursor, socket));
  };
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function rejectUpgrade(ctx: ServerContext, socket: Duplex, rejection: RequestRejection): void {
  countRejected(ctx.stats, rejection.status);
  const body = rejectionBody(rejection);
  const reason = STATUS_CODES[rejection.status] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${rejection.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One WebSocket subscribed to (and publishing into) a topic: its framing on the shared StreamSubscription. */
export class WsStream extends StreamSubscription {
  readonly #ws: WebSocket;
  /** The upgraded TCP socket: corked once per loop turn so a turn's frames leave in one writev. */
  readonly #socket: Duplex;
  #corked = false;
  /** Cleared before each ping, set by the pong; a socket still clear at the next ping is dead. */
  alive = true;

  constructor(ctx: ServerContext, topic: Topic, ws: WebSocket, cursor: number | undefined, socket: Duplex) {
    super(ctx, topic, 'ws', ctx.wsStreams);
    this.#ws = ws;
    this.#socket = socket;
    (ws as OwnedSocket)[kStream] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.once('close', onClose);
    this.start(cursor);
  }

  publish(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.ctx.stats.badFrames++;
      return;
    }
    try {
      const body = parsePublishBody(data.toString());
      this.ctx.stats.requests.publish++;
      this.ctx.hub.accept(this.topic, body.text, body.isEmpty, undefined);
    } catch {
      this.ctx.stats.badFrames++;
    }
  }

  ping(): void {
    if (!this.alive) {
      this.#ws.terminate();
      return;
    }
    this.alive = false;
    this.#ws.ping();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  countBadFrame(): void {
    this.ctx.stats.badFrames++;
  }

  /** Closing or closed: ws would only count the bytes as buffered and never send them. */
  protected override get gone(): boolean {
    return this.#ws.readyState !== OPEN;
  }

  protected override get unsentBytes(): number {
    return this.#ws.bufferedAmount;
  }

  protected override writeEvent(entry: LogEntry): void {
    // ws corks only one frame's header and payload; without an outer cork 100 events of one
    // fan-out turn are 100 writes. Cork at the turn's first frame and uncork once the turn's
    // code has run (nextTick): one writev per socket per turn, as SSE responses get.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(uncorkStream, this);
    }
    this.#ws.send(entry.json, TEXT_FRAME);
  }

  /** The end of the turn that corked the socket. */
  uncork(): void {
    this.#corked = false;
    this.#socket.uncork();
  }

  protected override writeGap(): void {
    this.#ws.send(WS_GAP_MESSAGE);
  }

  protected override destroy(): void {
    this.#ws.terminate();
  }
}

/**
 * Send options of every event frame: text, although the event is a Buffer (ws would send a
 * Buffer as binary). ws copies them into an options object of its own on every send, so this
 * constant spares only a literal, not an allocation.
 */
const TEXT_FRAME = { binary: false } as const;
/** WebSocket.OPEN, as a constant: the class is imported as a type only. */
const OPEN = 1;

const kStream = Symbol('wsStream');
type OwnedSocket = WebSocket & { [kStream]?: WsStream };

// Shared listeners: each reaches its stream through the socket instead of a closure per socket.
function onMessage(this: OwnedSocket, data: RawData, isBinary: boolean): void {
  this[kStream]?.publish(data, isBinary);
}
function onPong(this: OwnedSocket): void {
  const stream = this[kStream];
  if (stream) stream.alive = true;
}
function onError(this: OwnedSocket): void {
  // ws closes the socket itself after an error (bad frame, oversized message); count it.
  this[kStream]?.countBadFrame();
}
function uncorkStream(stream: WsStream): void {
  stream.uncork();
}
function onClose(this: OwnedSocket): void {
  this[kStream]?.detach();
}
