/**
 * rtbench protocol v1: the routes and defaults shared by the reference server and the
 * clients. Nothing else crosses between server and client code (DESIGN §1).
 */
export const PROTOCOL_VERSION = 'rtbench/1';

export const Route = {
  publish: '/publish',
  poll: '/poll',
  longPoll: '/long-poll',
  sse: '/sse',
  ws: '/ws',
  metrics: '/metrics',
  healthz: '/healthz',
} as const;

export type RouteName = keyof typeof Route;

/** Topics are short names safe in a URL, a file name and a Prometheus label. */
export const TOPIC_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** `/poll` and `/long-poll` return at most this many events per response unless `limit` is given. */
export const DEFAULT_POLL_LIMIT = 1000;
export const MAX_POLL_LIMIT = 10_000;
/** `/long-poll` holds a request this long when `timeout` is not given. */
export const DEFAULT_LONG_POLL_TIMEOUT_MS = 25_000;
/** SSE `retry:` the reference server announces, and what EventSource uses without one. */
export const DEFAULT_SSE_RETRY_MS = 3_000;
