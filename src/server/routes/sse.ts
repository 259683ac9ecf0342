import type { IncomingMessage, ServerResponse } from 'node:http';
import { Route } from '../../protocol/routes.js';
import { SSE_GAP, SSE_HEARTBEAT, sseOpenFrame } from '../../protocol/sse-frame.js';
import { CORS_HEADER } from '../http-io.js';
import { optionalCursor, requireTopic } from '../params.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { Topic } from '../hub.js';
import type { LogEntry } from '../topic-log.js';
import { markEndless } from '../pipeline-gate.js';
import { StreamSubscription } from '../stream-subscription.js';

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
    // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2); Node would drop it with a warning.
    ...(req.httpVersionMajor === 1 ? { Connection: 'keep-alive' } : {}),
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

/** One open SSE response subscribed to a topic: its framing on the shared StreamSubscription. */
export class SseStream extends StreamSubscription {
  readonly #res: ServerResponse;

  constructor(ctx: ServerContext, topic: Topic, res: ServerResponse, cursor: number | undefined) {
    super(ctx, topic, 'sse', ctx.sseStreams);
    this.#res = res;
    (res as StreamResponse)[kStream] = this;
    res.once('close', onResponseClose);
    this.start(cursor);
  }

  heartbeat(): void {
    if (!this.closed && !this.#res.destroyed) this.#res.write(SSE_HEARTBEAT);
  }

  /** Ends the stream (server shutdown). */
  end(): void {
    this.#res.end();
  }

  protected override get gone(): boolean {
    return this.#res.destroyed;
  }

  protected override get unsentBytes(): number {
    return this.#res.writableLength;
  }

  /** `retry: MS\nid: C\n\n`: a client cut before its first event still resumes from C. */
  protected override writeOpening(startId: number): void {
    this.#res.write(sseOpenFrame(this.ctx.options.sseRetryMs, startId));
  }

  protected override writeEvent(entry: LogEntry): void {
    this.#res.write(entry.sse);
  }

  protected override writeGap(): void {
    this.#res.write(SSE_GAP);
  }

  protected override destroy(): void {
    this.#res.destroy();
  }
}

const kStream = Symbol('sseStream');
type StreamResponse = ServerResponse & { [kStream]?: SseStream };

// Shared listener: reaches its stream through the response instead of a closure per stream.
function onResponseClose(this: StreamResponse): void {
  this[kStream]?.detach();
}
