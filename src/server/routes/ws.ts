import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { WS_GAP_MESSAGE } from '../../protocol/event.js';
import { MAX_POLL_LIMIT, Route } from '../../protocol/routes.js';
import { RequestRejection } from '../http-io.js';
import { optionalCursor, requireTopic } from '../params.js';
import { parsePublishBody } from '../publish-body.js';
import { countRejected } from '../server-stats.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { StreamSubscriber, Topic } from '../hub.js';
import type { LogEntry } from '../topic-log.js';

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
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let topic: Topic;
    let cursor: number | undefined;
    try {
      if (path !== Route.ws) throw new RequestRejection(404, 'not_found', `no WebSocket route ${path}; use ${Route.ws}`);
      ctx.stats.requests.ws++;
      const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      topic = topicOrReject(ctx, requireTopic(params));
      cursor = optionalCursor(params.get('since'));
    } catch (error) {
      if (!(error instanceof RequestRejection)) throw error;
      rejectUpgrade(ctx, socket, error);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => new WsStream(ctx, topic, ws, cursor));
  };
}

function rejectUpgrade(ctx: ServerContext, socket: Duplex, rejection: RequestRejection): void {
  countRejected(ctx.stats, rejection.status);
  const body = JSON.stringify({ error: rejection.error, ...(rejection.param ? { param: rejection.param } : {}), message: rejection.message });
  const reason = rejection.status === 404 ? 'Not Found' : rejection.status === 429 ? 'Too Many Requests' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${rejection.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One WebSocket subscribed to (and publishing into) a topic. */
export class WsStream implements StreamSubscriber {
  readonly #ctx: ServerContext;
  readonly #topic: Topic;
  readonly #ws: WebSocket;
  /** Id of the last event sent on this socket. */
  #lastId = 0;
  /** Cleared before each ping, set by the pong; a socket still clear at the next ping is dead. */
  alive = true;

  constructor(ctx: ServerContext, topic: Topic, ws: WebSocket, cursor: number | undefined) {
    this.#ctx = ctx;
    this.#topic = topic;
    this.#ws = ws;
    (ws as OwnedSocket)[kStream] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.once('close', onClose);
    ctx.stats.open.ws++;
    ctx.wsStreams.add(this);
    // Where the stream starts: after its cursor, or at the head (no history).
    this.#lastId = cursor ?? topic.log.headId;
    if (cursor !== undefined) this.#sendBacklog(cursor);
    topic.streams.add(this);
  }

  push(entry: LogEntry): void {
    // A stream that joined with a cursor between an event's logging and its fan-out has it
    // from its backlog already.
    if (entry.id <= this.#lastId) return;
    this.#lastId = entry.id;
    const ws = this.#ws;
    ws.send(entry.json, TEXT_FRAME);
    this.#ctx.stats.delivered.ws++;
    if (ws.bufferedAmount > this.#ctx.options.maxBufferedBytes) {
      this.#ctx.stats.slowConsumerDrops.ws++;
      ws.terminate();
    }
  }

  publish(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#ctx.stats.badFrames++;
      return;
    }
    try {
      const body = parsePublishBody(data.toString());
      this.#ctx.stats.requests.publish++;
      this.#ctx.hub.publish(this.#topic, body.text, body.isEmpty);
    } catch {
      this.#ctx.stats.badFrames++;
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

  detach(): void {
    if (!this.#ctx.wsStreams.delete(this)) return;
    this.#topic.streams.delete(this);
    this.#ctx.stats.open.ws--;
  }

  countBadFrame(): void {
    this.#ctx.stats.badFrames++;
  }

  #sendBacklog(cursor: number): void {
    let read = this.#topic.log.readSince(cursor, MAX_POLL_LIMIT);
    if (read.gap) this.#ws.send(WS_GAP_MESSAGE);
    while (read.entries.length > 0) {
      for (const entry of read.entries) this.push(entry);
      read = this.#topic.log.readSince(read.next, MAX_POLL_LIMIT);
    }
  }
}

/** Send options for every event frame: the event JSON as text. One object, not one per send. */
const TEXT_FRAME = { binary: false } as const;

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
function onClose(this: OwnedSocket): void {
  this[kStream]?.detach();
}
