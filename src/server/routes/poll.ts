import type { ServerResponse } from 'node:http';
import { encodePollResponse } from '../../protocol/poll-response.js';
import { DEFAULT_POLL_LIMIT } from '../../protocol/routes.js';
import { POLL_ANSWER_NOSNIFF, sendJson } from '../http-io.js';
import { optionalCursor, optionalLimit, requireTopic } from '../params.js';
import { topicOrReject, type ServerContext } from '../context.js';

/**
 * `GET /poll?topic=T&since=C`: every retained event newer than C, oldest first. Without
 * `since` the answer is empty with `next` at the head, so a new poller starts there.
 */
export function handlePoll(ctx: ServerContext, res: ServerResponse, params: URLSearchParams): void {
  const topic = topicOrReject(ctx, requireTopic(params));
  const since = optionalCursor(params.get('since'));
  const limit = optionalLimit(params, DEFAULT_POLL_LIMIT);
  if (since === undefined) {
    sendJson(res, 200, encodePollResponse(topic.log.headId, [], false), true, POLL_ANSWER_NOSNIFF);
    return;
  }
  const read = topic.log.readSince(since, limit);
  ctx.stats.delivered.poll += read.entries.length;
  sendJson(res, 200, encodePollResponse(read.next, read.entries.map(jsonOf), read.gap), true, POLL_ANSWER_NOSNIFF);
}

export function jsonOf(entry: { json: Buffer }): Buffer {
  return entry.json;
}
