import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { readBody, RequestRejection, sendJson } from '../http-io.js';
import { requireTopic } from '../params.js';
import { parsePublishBody } from '../publish-body.js';
import { topicOrReject, type ServerContext } from '../context.js';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** `POST /publish?topic=T`: logs the body as a new event and fans it out; answers `{"id":N}`. */
export async function handlePublish(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    throw new RequestRejection(405, 'method_not_allowed', '/publish takes POST');
  }
  const topicName = requireTopic(params);
  const contentType = req.headers['content-type'];
  if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) {
    throw new RequestRejection(415, 'unsupported_media_type', `publish needs Content-Type: application/json, got ${JSON.stringify(contentType ?? '')}`);
  }
  const body = parsePublishBody(await readBody(req, ctx.options.maxBodyBytes));
  const topic = topicOrReject(ctx, topicName);
  if (ctx.options.publishDelayMs > 0) await delay(ctx.options.publishDelayMs);
  ctx.hub.accept(topic, body.text, body.isEmpty, (id) => sendJson(res, 200, `{"id":${id}}`, false));
}
