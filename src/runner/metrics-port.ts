import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rtbError } from '../errors.js';
import { EXPOSITION_CONTENT_TYPE } from '../report/live-metrics-text.js';
import { RequestRejection } from '../server/http-io.js';
import { HostOriginPolicy } from '../server/host-origin.js';

/** Loopback only: the generator's figures are for a Prometheus on this machine. */
const METRICS_HOST = '127.0.0.1';

export interface MetricsPort {
  readonly port: number;
  /** `http://127.0.0.1:<port>/metrics` */
  readonly url: string;
  /** Stops listening and closes every connection, keep-alive ones included (a scraper's). */
  close(): Promise<void>;
}

/**
 * `rtbench run --metrics-port PORT`: serves `render()` at GET /metrics on 127.0.0.1:PORT
 * (0 = a free port) while the run goes. Like the reference server it answers only a
 * loopback `Host` (421 otherwise: no DNS rebinding). A port in use is RTB_ERR_PORT_IN_USE
 * (exit 3), ports below 1024 likewise, as the reference server reports them.
 */
export async function serveMetrics(port: number, render: () => string): Promise<MetricsPort> {
  const hosts = new HostOriginPolicy({ host: METRICS_HOST, allowedHosts: [], allowedOrigins: [] });
  const server = createServer((req, res) => answer(req, res, hosts, render));
  server.keepAliveTimeout = 65_000; // outlasts a scrape interval, as the reference server's does
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(rtbError('RTB_ERR_PORT_IN_USE', `--metrics-port ${port}: port ${port} on ${METRICS_HOST} is already in use; choose another, or --metrics-port 0 for a free one`));
      else if (error.code === 'EACCES') reject(rtbError('RTB_ERR_PORT_IN_USE', `--metrics-port ${port}: not allowed to listen on ${METRICS_HOST}:${port}; ports below 1024 need privileges`));
      else reject(rtbError('RTB_ERR_IO', `--metrics-port ${port}: cannot listen on ${METRICS_HOST}:${port}: ${error.message}`, error));
    });
    server.listen(port, METRICS_HOST, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${METRICS_HOST}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, hosts: HostOriginPolicy, render: () => string): void {
  try {
    hosts.checkHost(req);
  } catch (error) {
    if (!(error instanceof RequestRejection)) throw error;
    return plain(res, error.status, `${error.message}\n`);
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return plain(res, 404, 'not found: the live metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'method not allowed: GET /metrics\n');
  }
  const body = render();
  res.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
