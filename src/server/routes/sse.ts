import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_POLL_LIMIT, Route } from '../../protocol/routes.js';
import { SSE_GAP, SSE_HEARTBEAT, sseOpenFrame } from '../../protocol/sse-frame.js';
import { CORS_HEADER } from '../http-io.js';
import { optionalCursor, requireTopic } from '../params.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { StreamSubscriber, Topic } from '../hub.js';
import type { LogEntry } from '../topic-log.js';
import { markEndless } from '../pipeline-gate.js';

/**
 * `GET /sse?topic=T`: a text/event-stream of the topic's events, each written in one
 * write. Resumes after `Last-Event-ID` (what EventSource sends on reconnect) or `since`;
 * with neither it starts at the head. Opens with `retry: MS\nid: C\n\n` (see sseOpenFrame).
 */
export function handleSse(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  const topicName = requireTopic(params);
  const lastEventId = req.headers['last-event-id'];
  const cursor =
    typeof lastEventId === 'string' && lastEventId !== ''
      ? optionalCursor(lastEventId, 'Last-Event-ID')
      : optionalCursor(params.get('since'));
  const topic = topicOrReject(ctx, topicName);
  markEndless(res);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    ...CORS_HEADER,
  });
  new SseStream(ctx, topic, res, cursor);
}

/** True for a request to the SSE route, before it is handled (see createPipelineGate). */
export function isSseRequest(req: IncomingMessage): boolean {
  const url = req.url;
  return url !== undefined && url.startsWith(Route.sse) && (url.length === Route.sse.length || url[Route.sse.length] === '?');
}

/** One open SSE response subscribed to a topic. */
export class SseStream implements StreamSubscriber {
  readonly #ctx: ServerContext;
  readonly #topic: Topic;
  readonly #res: ServerResponse;
  /** Id of the last event sent on this stream. */
  #lastId = 0;
  /** Dropped as a slow consumer or gone: nothing more is written or counted. */
  #closed = false;
  /** The hub's fan-out turn whose first write checked the unsent bytes (-1: none yet). */
  #checkedTurn = -1;

  constructor(ctx: ServerContext, topic: Topic, res: ServerResponse, cursor: number | undefined) {
    this.#ctx = ctx;
    this.#topic = topic;
    this.#res = res;
    (res as StreamResponse)[kStream] = this;
    res.once('close', onResponseClose);
    ctx.stats.open.sse++;
    ctx.sseStreams.add(this);
    // Where the stream starts: after its cursor, or at the head (no history).
    this.#lastId = cursor ?? topic.log.headId;
    res.write(sseOpenFrame(ctx.options.sseRetryMs, this.#lastId));
    if (cursor !== undefined) this.#sendBacklog(cursor);
    if (!this.#closed) topic.streams.add(this);
  }

  push(entry: LogEntry): void {
    // A stream that joined with a cursor between an event's logging and its fan-out has it
    // from its backlog already.
    if (entry.id <= this.#lastId || this.#closed) return;
    this.#lastId = entry.id;
    const res = this.#res;
    // A socket that closed since the last event (its 'close' still pending) gets nothing.
    if (res.destroyed) {
      this.detach();
      return;
    }
    // Slow consumer: what earlier turns wrote is still unsent past the limit. Checked before
    // the turn's first write, not after each: Node corks one turn's writes to a response
    // into one writev, so they count as unsent until the turn ends even for a client that
    // reads at once, and a burst or backlog larger than the limit would drop a healthy
    // client. A turn's writes reference the log's frames; they are not copies.
    const turn = this.#ctx.hub.fanOutTurn;
    if (turn !== this.#checkedTurn) {
      this.#checkedTurn = turn;
      if (res.writableLength > this.#ctx.options.maxBufferedBytes) {
        this.#drop();
        return;
      }
    }
    res.write(entry.sse);
    this.#ctx.stats.delivered.sse++;
  }

  heartbeat(): void {
    if (!this.#closed && !this.#res.destroyed) this.#res.write(SSE_HEARTBEAT);
  }

  /** Ends the stream (server shutdown). */
  end(): void {
    this.#res.end();
  }

  detach(): void {
    this.#closed = true;
    if (!this.#ctx.sseStreams.delete(this)) return;
    this.#topic.streams.delete(this);
    this.#ctx.stats.open.sse--;
  }

  /**
   * A slow consumer: its unsent bytes passed maxBufferedBytes. Counted once and detached at
   * once: the rest of this fan-out must neither count it again nor write to it before its
   * 'close' arrives.
   */
  #drop(): void {
    this.#ctx.stats.slowConsumerDrops.sse++;
    this.detach();
    this.#res.destroy();
  }

  #sendBacklog(cursor: number): void {
    let read = this.#topic.log.readSince(cursor, MAX_POLL_LIMIT);
    if (read.gap) this.#res.write(SSE_GAP);
    while (read.entries.length > 0 && !this.#closed) {
      for (const entry of read.entries) this.push(entry);
      read = this.#topic.log.readSince(read.next, MAX_POLL_LIMIT);
    }
  }
}

const kStream = Symbol('sseStream');
type StreamResponse = ServerResponse & { [kStream]?: SseStream };

// Shared listener: reaches its stream through the response instead of a closure per stream.
function onResponseClose(this: StreamResponse): void {
  this[kStream]?.detach();
}
