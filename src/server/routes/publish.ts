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
  if (ctx.hub.sequencer !== undefined) {
    // A multi-process server: the id is known once the sequencer's numbering came back (one IPC round trip).
    const id = await new Promise<number>((resolve) => ctx.hub.submit(topic, body.text, body.isEmpty, resolve));
    sendJson(res, 200, `{"id":${id}}`, false);
    return;
  }
  const entry = ctx.hub.publish(topic, body.text, body.isEmpty);
  sendJson(res, 200, `{"id":${entry.id}}`, false);
}
