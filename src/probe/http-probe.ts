import autocannon from 'autocannon';
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
  const result = await autocannon({ ...request, url: request.url!, connections: options.connections, duration: options.durationS, pipelining: 1 });
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
