import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_POLL_LIMIT } from '../../protocol/routes.js';
import { SSE_GAP, SSE_HEARTBEAT, sseRetryFrame } from '../../protocol/sse-frame.js';
import { CORS_HEADER } from '../http-io.js';
import { optionalCursor, requireTopic } from '../params.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { StreamSubscriber, Topic } from '../hub.js';
import type { LogEntry } from '../topic-log.js';

/**
 * `GET /sse?topic=T`: a text/event-stream of the topic's events, each written in one
 * write. Resumes after `Last-Event-ID` (what EventSource sends on reconnect) or `since`;
 * with neither it starts at the head.
 */
export function handleSse(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  const topicName = requireTopic(params);
  const lastEventId = req.headers['last-event-id'];
  const cursor =
    typeof lastEventId === 'string' && lastEventId !== ''
      ? optionalCursor(lastEventId, 'Last-Event-ID')
      : optionalCursor(params.get('since'));
  const topic = topicOrReject(ctx, topicName);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    ...CORS_HEADER,
  });
  res.write(sseRetryFrame(ctx.options.sseRetryMs));
  new SseStream(ctx, topic, res, cursor);
}

/** One open SSE response subscribed to a topic. */
export class SseStream implements StreamSubscriber {
  readonly #ctx: ServerContext;
  readonly #topic: Topic;
  readonly #res: ServerResponse;
  /** Id of the last event sent on this stream. */
  #lastId = 0;

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
    if (cursor !== undefined) this.#sendBacklog(cursor);
    topic.streams.add(this);
  }

  push(entry: LogEntry): void {
    // A stream that joined with a cursor between an event's logging and its fan-out has it
    // from its backlog already.
    if (entry.id <= this.#lastId) return;
    this.#lastId = entry.id;
    const res = this.#res;
    res.write(entry.sse);
    this.#ctx.stats.delivered.sse++;
    if (res.writableLength > this.#ctx.options.maxBufferedBytes) {
      this.#ctx.stats.slowConsumerDrops.sse++;
      res.destroy();
    }
  }

  heartbeat(): void {
    this.#res.write(SSE_HEARTBEAT);
  }

  /** Ends the stream (server shutdown). */
  end(): void {
    this.#res.end();
  }

  detach(): void {
    if (!this.#ctx.sseStreams.delete(this)) return;
    this.#topic.streams.delete(this);
    this.#ctx.stats.open.sse--;
  }

  #sendBacklog(cursor: number): void {
    let read = this.#topic.log.readSince(cursor, MAX_POLL_LIMIT);
    if (read.gap) this.#res.write(SSE_GAP);
    while (read.entries.length > 0) {
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
