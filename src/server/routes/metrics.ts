import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_HEADER, NOSNIFF_HEADER, sendJson } from '../http-io.js';
import { metricsSnapshot } from '../metrics-snapshot.js';
import type { ServerContext } from '../context.js';
import { PrometheusExposition } from '../prometheus.js';

/** `GET /metrics` (and HEAD): JSON by default, Prometheus text for `Accept: text/plain`. */
export function createMetricsHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const prometheus = new PrometheusExposition({ perProcess: ctx.clusterMetrics !== undefined });
  return async (req, res) => {
    const snapshot = ctx.clusterMetrics !== undefined ? await ctx.clusterMetrics() : metricsSnapshot(ctx);
    const accept = req.headers.accept ?? '';
    if (/\btext\/plain\b|openmetrics/i.test(accept) && !/application\/json/i.test(accept)) {
      const text = await prometheus.render(snapshot);
      res.writeHead(200, { 'Content-Type': prometheus.contentType, 'Cache-Control': 'no-store', ...NOSNIFF_HEADER, ...CORS_HEADER });
      res.end(text);
      return;
    }
    sendJson(res, 200, JSON.stringify(snapshot), true);
  };
}
