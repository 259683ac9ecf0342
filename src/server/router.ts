import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION, Route } from '../protocol/routes.js';
import { RequestRejection, sendJson, sendRejection } from './http-io.js';
import type { ServerContext } from './context.js';
import { handlePublish } from './routes/publish.js';
import { handlePoll } from './routes/poll.js';
import { handleLongPoll } from './routes/long-poll.js';
import { handleSse } from './routes/sse.js';
import { createMetricsHandler } from './routes/metrics.js';
import { handleDemoPage } from './routes/demo-page.js';

/**
 * The HTTP request handler: dispatches by path, counts each request by route, and turns
 * every refusal into a 4xx JSON answer. Nothing a client sends can throw out of here.
 */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const handleMetrics = createMetricsHandler(ctx);
  const requests = ctx.stats.requests;

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const readRoute = path !== Route.publish;
    try {
      if (!hostAccepted(ctx, req, res, readRoute)) return;
      if (path === Route.publish) {
        requests.publish++;
        ctx.access.checkOrigin(req);
        handlePublish(ctx, req, res, params).catch((error: unknown) => fail(ctx, res, error, false));
        return;
      }
      if (req.method !== 'GET' && !(req.method === 'HEAD' && HEAD_ROUTES.has(path))) {
        requests.other++;
        res.setHeader('Allow', HEAD_ROUTES.has(path) ? 'GET, HEAD' : 'GET');
        throw new RequestRejection(405, 'method_not_allowed', `${path.slice(0, 200)} takes GET`);
      }
      switch (path) {
        case Route.poll:
          requests.poll++;
          return handlePoll(ctx, res, params);
        case Route.longPoll:
          requests.longPoll++;
          return handleLongPoll(ctx, res, params);
        case Route.sse:
          requests.sse++;
          return handleSse(ctx, req, res, params);
        case Route.metrics:
          requests.metrics++;
          handleMetrics(req, res).catch((error: unknown) => fail(ctx, res, error, true));
          return;
        case Route.healthz:
          requests.healthz++;
          return sendJson(res, 200, `{"ok":true,"protocol":"${PROTOCOL_VERSION}"}`, true);
        case '/':
          requests.other++;
          return handleDemoPage(res);
        case Route.ws:
          requests.other++;
          throw new RequestRejection(426, 'upgrade_required', `${Route.ws} needs a WebSocket upgrade`);
        default:
          requests.other++;
          throw new RequestRejection(404, 'not_found', `no route ${path.slice(0, 200)}`);
      }
    } catch (error) {
      fail(ctx, res, error, readRoute);
    }
  };
}

/**
 * Routes that answer HEAD like GET without the body (Node drops it for HEAD): health checks
 * and monitoring probe with HEAD. Streams and polls do not: a HEAD there would be held or
 * consume a cursor for nothing.
 */
const HEAD_ROUTES: ReadonlySet<string> = new Set([Route.metrics, Route.healthz]);

/** Answers a request whose Host is refused (and counts it under `other`); false when it was. */
function hostAccepted(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, cors: boolean): boolean {
  try {
    ctx.access.checkHost(req);
    return true;
  } catch (error) {
    ctx.stats.requests.other++;
    fail(ctx, res, error, cors);
    return false;
  }
}

function fail(ctx: ServerContext, res: ServerResponse, error: unknown, cors: boolean): void {
  if (error instanceof RequestRejection) {
    sendRejection(res, ctx.stats, error, cors);
    return;
  }
  // A bug in the server, or a socket that failed under us: answer 500 if still possible.
  ctx.stats.clientErrors++;
  if (!res.headersSent && !res.destroyed) sendJson(res, 500, '{"error":"internal","message":"internal server error"}', cors);
  else res.destroy();
}
