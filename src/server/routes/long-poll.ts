import type { ServerResponse } from 'node:http';
import { encodePollResponse } from '../../protocol/poll-response.js';
import { DEFAULT_POLL_LIMIT } from '../../protocol/routes.js';
import { POLL_ANSWER_NOSNIFF, sendJson } from '../http-io.js';
import { optionalCursor, optionalLimit, optionalTimeoutMs, requireTopic } from '../params.js';
import { topicOrReject, type ServerContext } from '../context.js';
import type { Topic, Waiter } from '../hub.js';
import { jsonOf } from './poll.js';

/**
 * `GET /long-poll?topic=T&since=C&timeout=MS`: answers at once when events newer than C
 * exist; otherwise holds the request until one is published or the timeout passes (then
 * `"events":[]`). Without `since` it waits for the next event after the current head.
 */
export function handleLongPoll(ctx: ServerContext, res: ServerResponse, params: URLSearchParams): void {
  const topic = topicOrReject(ctx, requireTopic(params));
  const since = optionalCursor(params.get('since')) ?? topic.log.headId;
  const timeoutMs = optionalTimeoutMs(params, ctx.options.longPollTimeoutMs, ctx.options.maxLongPollTimeoutMs);
  const limit = optionalLimit(params, DEFAULT_POLL_LIMIT);
  const read = topic.log.readSince(since, limit);
  if (read.entries.length > 0 || read.gap || timeoutMs === 0) {
    ctx.stats.delivered.longPoll += read.entries.length;
    sendJson(res, 200, encodePollResponse(read.next, read.entries.map(jsonOf), read.gap), true, POLL_ANSWER_NOSNIFF);
    return;
  }
  new LongPollWaiter(ctx, topic, res, since, limit, timeoutMs);
}

/** A held long-poll. Removed from its topic when woken, timed out, or its client goes away. */
export class LongPollWaiter implements Waiter {
  readonly #ctx: ServerContext;
  readonly #topic: Topic;
  readonly #res: ServerResponse;
  readonly #limit: number;
  readonly #timer: NodeJS.Timeout;
  readonly since: number;

  constructor(ctx: ServerContext, topic: Topic, res: ServerResponse, since: number, limit: number, timeoutMs: number) {
    this.#ctx = ctx;
    this.#topic = topic;
    this.#res = res;
    this.#limit = limit;
    this.since = since;
    this.#timer = setTimeout(onTimeout, timeoutMs, this);
    (res as WaiterResponse)[kWaiter] = this;
    res.once('close', onClientGone);
    topic.waiters.add(this);
    ctx.waiters.add(this);
    ctx.stats.open.longPollWaiting++;
  }

  wake(topic: Topic, bodyCache: Map<number, Buffer>): void {
    this.#release();
    const cacheable = this.#limit === DEFAULT_POLL_LIMIT;
    let body = cacheable ? bodyCache.get(this.since) : undefined;
    const read = topic.log.readSince(this.since, this.#limit);
    if (body === undefined) {
      body = encodePollResponse(read.next, read.entries.map(jsonOf), read.gap);
      if (cacheable) bodyCache.set(this.since, body);
    }
    this.#ctx.stats.delivered.longPoll += read.entries.length;
    sendJson(this.#res, 200, body, true, POLL_ANSWER_NOSNIFF);
  }

  /** Answers with no events (timeout, or server shutdown). */
  expire(): void {
    this.#release();
    sendJson(this.#res, 200, encodePollResponse(this.since, [], false), true, POLL_ANSWER_NOSNIFF);
  }

  /** The client went away while waiting: forget it without answering. */
  abandon(): void {
    if (this.#topic.waiters.has(this)) this.#release();
  }

  #release(): void {
    clearTimeout(this.#timer);
    this.#topic.waiters.delete(this);
    this.#ctx.waiters.delete(this);
    this.#ctx.stats.open.longPollWaiting--;
  }
}

const kWaiter = Symbol('waiter');
type WaiterResponse = ServerResponse & { [kWaiter]?: LongPollWaiter };

function onTimeout(waiter: LongPollWaiter): void {
  waiter.expire();
}

// Shared listener: reaches its waiter through the response instead of a closure per request.
function onClientGone(this: WaiterResponse): void {
  this[kWaiter]?.abandon();
}
