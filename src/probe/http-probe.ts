import autocannon from 'autocannon';
import { request as httpRequest } from 'node:http';
import { describeError, rtbError } from '../errors.js';
import { Route } from '../protocol/routes.js';

/** The HTTP routes a capacity probe can drive. Long-polls and streams hold requests, so they are not probed this way. */
export const PROBE_ROUTES = ['poll', 'publish', 'healthz'] as const;
export type ProbeRoute = (typeof PROBE_ROUTES)[number];

export interface ProbeOptions {
  readonly url: string;
  readonly route: ProbeRoute;
  readonly connections: number;
  readonly durationS: number;
  readonly payloadBytes: number;
}

export interface ProbeResult {
  route: ProbeRoute;
  connections: number;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Us: number;
  latencyP99Us: number;
  latencyMaxUs: number;
  errors: number;
  non2xx: number;
}

/**
 * How many requests per second a server answers on one route, closed-loop, with
 * autocannon — the ceiling for polling clients (a server answering R polls/s can serve about
 * R·T clients polling every T). rtbench's own polling clients do not use autocannon:
 * autocannon fires each connection's requests back to back (it cannot space polls on an
 * interval at a random phase) and cannot carry each answer's cursor into the next request
 * or time each event from its publish; here, where back-to-back load is the point, it fits.
 */
export async function probeRoute(options: ProbeOptions): Promise<ProbeResult> {
  const topic = 'rtbench-probe';
  const body = JSON.stringify({ origin: 'p0', seq: 1, ts: 0, data: 'x'.repeat(options.payloadBytes) });
  const request: Partial<autocannon.Options> =
    options.route === 'publish'
      ? { method: 'POST', url: `${options.url}${Route.publish}?topic=${topic}`, headers: { 'content-type': 'application/json' }, body }
      : options.route === 'poll'
        ? { method: 'GET', url: `${options.url}${Route.poll}?topic=${topic}&since=0&limit=1` }
        : { method: 'GET', url: `${options.url}${Route.healthz}` };
  // Throughput of 404s or refusals is not capacity: the route must answer 2xx first.
  await checkAnswers2xx(request.url!, request.method ?? 'GET', request.headers as Record<string, string> | undefined, request.body as string | undefined);
  const result = await autocannon({ ...request, url: request.url!, connections: options.connections, duration: options.durationS, pipelining: 1 });
  const failed = result.non2xx + result.errors;
  if (failed > result.requests.total / 2) {
    throw rtbError('RTB_ERR_TARGET_PROTOCOL', `${request.method ?? 'GET'} ${request.url}: ${failed} of ${result.requests.total + result.errors} requests failed or answered non-2xx under load; no capacity figure`);
  }
  // autocannon reports latency in (fractional) milliseconds; rtbench's unit is integer µs.
  const us = (ms: number): number => Math.round(ms * 1000);
  return {
    route: options.route,
    connections: options.connections,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Us: us(result.latency.p50),
    latencyP99Us: us(result.latency.p99),
    latencyMaxUs: us(result.latency.max),
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/** One request to the probed route; anything but a 2xx answer is an error naming what came back. */
function checkAnswers2xx(url: string, method: string, headers: Record<string, string> | undefined, body: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, timeout: 5000 }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(rtbError('RTB_ERR_TARGET_PROTOCOL', `${method} ${new URL(url).pathname} answered ${status}, not 2xx: there is no capacity to measure on that route (is this an rtbench protocol v1 server?)`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ECONNREFUSED' ? 'connection refused' : describeError(error);
      reject(rtbError('RTB_ERR_TARGET_UNREACHABLE', `cannot reach ${new URL(url).origin} (${why}); is the server running?`));
    });
    req.end(body);
  });
}
