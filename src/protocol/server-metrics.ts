/**
 * The JSON answer of `GET /metrics` (rtbench protocol v1). Cumulative since the server
 * started unless named otherwise. A server of your own may implement any subset: the runner
 * reads `cpu`, `memory.rssBytes`, `eventLoop` and `connections.open` when present and
 * reports the rest as unknown.
 */
export interface ServerMetrics {
  protocol: string;
  server: string;
  pid: number;
  uptimeMs: number;
  cpu: { userUs: number; systemUs: number };
  memory: { rssBytes: number; rssPeakBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number };
  eventLoop: {
    /** Since start; over an interval use Δactive / (Δactive + Δidle). */
    utilization: number;
    activeMs: number;
    idleMs: number;
    /** Over the last complete second. */
    delay: LoopDelay;
    delaySinceStart: LoopDelay;
  };
  connections: { open: number; accepted: number; sse: number; ws: number; longPollWaiting: number };
  requests: { publish: number; poll: number; longPoll: number; sse: number; ws: number; metrics: number; healthz: number; other: number; total: number };
  /** 4xx answers by status code. */
  rejected: Record<string, number>;
  clientErrors: number;
  badFrames: number;
  bytes: { in: number; out: number };
  events: { published: number; delivered: { poll: number; longPoll: number; sse: number; ws: number; total: number } };
  drops: { slowConsumer: { sse: number; ws: number; total: number } };
  log: { topics: number; ringCapacity: number; evictions: number };
  /**
   * A reference server run as several processes (`--processes N`): N, and each process's own
   * figures (the primary first). The figures above then cover every process: counters, bytes,
   * connections, CPU and memory summed; event-loop figures the busiest process's; `log` the
   * largest (every worker holds the same logs); `pid` the primary's. Absent for one process.
   */
  processes?: number;
  perProcess?: ServerProcessMetrics[];
}

/** One process of a multi-process reference server: the primary (accepts and numbers events) or a worker (serves clients). */
export interface ServerProcessMetrics {
  pid: number;
  role: 'primary' | 'worker';
  cpu: { userUs: number; systemUs: number };
  rssBytes: number;
  eventLoopUtilization: number;
  connections: { open: number; sse: number; ws: number; longPollWaiting: number };
  eventsDelivered: number;
}

export interface LoopDelay {
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}
