/**
 * The reference server's counters: plain numbers incremented in place on the hot path and
 * read by `/metrics`. Cumulative since the server started.
 */
export interface ServerStats {
  requests: {
    publish: number;
    poll: number;
    longPoll: number;
    sse: number;
    ws: number;
    metrics: number;
    healthz: number;
    other: number;
  };
  /** Requests answered 4xx (bad parameter, body, method, route) by status code. */
  rejected: Record<string, number>;
  /** Malformed HTTP and sockets that failed before a request was parsed. */
  clientErrors: number;
  /** WebSocket frames that could not be published (binary, not JSON, oversized). */
  badFrames: number;
  eventsPublished: number;
  delivered: { poll: number; longPoll: number; sse: number; ws: number };
  slowConsumerDrops: { sse: number; ws: number };
  logEvictions: number;
  open: { sse: number; ws: number; longPollWaiting: number };
}

export function newServerStats(): ServerStats {
  return {
    requests: { publish: 0, poll: 0, longPoll: 0, sse: 0, ws: 0, metrics: 0, healthz: 0, other: 0 },
    rejected: {},
    clientErrors: 0,
    badFrames: 0,
    eventsPublished: 0,
    delivered: { poll: 0, longPoll: 0, sse: 0, ws: 0 },
    slowConsumerDrops: { sse: 0, ws: 0 },
    logEvictions: 0,
    open: { sse: 0, ws: 0, longPollWaiting: 0 },
  };
}

export function countRejected(stats: ServerStats, status: number): void {
  const key = String(status);
  stats.rejected[key] = (stats.rejected[key] ?? 0) + 1;
}
