import type { ProcessLoad } from '../metrics/process-load.js';
import type { LoopDelay, ServerMetrics, ServerProcessMetrics } from '../protocol/server-metrics.js';

/** The primary of a multi-process server as `/metrics` counts it: it accepts every connection (round-robin) and numbers every event. */
export interface PrimaryLoad {
  readonly pid: number;
  readonly uptimeMs: number;
  readonly load: ProcessLoad;
}

/**
 * One `/metrics` answer for a multi-process server from each worker's own snapshot and the
 * primary's load: counters, bytes, connections, CPU and memory summed over every process
 * (the primary included: its accept round-robin and numbering cost CPU); event-loop delay the
 * worst process's, utilisation the highest; `log` the largest — every worker holds the same
 * logs, so their evictions are one figure, not N. `activeMs` is the largest and `idleMs` the
 * smallest of the processes': each is a monotonic counter, so Δactive / (Δactive + Δidle)
 * over an interval stays about the busiest process's. Needs at least one worker snapshot.
 */
export function combineMetrics(primary: PrimaryLoad, workers: readonly ServerMetrics[]): ServerMetrics {
  const first = workers[0]!;
  const p = primary.load;
  const sum = (read: (m: ServerMetrics) => number): number => workers.reduce((total, m) => total + read(m), 0);
  const max = (read: (m: ServerMetrics) => number): number => workers.reduce((most, m) => Math.max(most, read(m)), 0);
  const worst = (own: LoopDelay, read: (m: ServerMetrics) => LoopDelay): LoopDelay =>
    workers.map(read).reduce((w, d) => (d.p99Us > w.p99Us || (d.p99Us === w.p99Us && d.maxUs > w.maxUs) ? d : w), own);
  const rejected: Record<string, number> = {};
  for (const m of workers) for (const [status, n] of Object.entries(m.rejected)) rejected[status] = (rejected[status] ?? 0) + n;
  const requests = { publish: 0, poll: 0, longPoll: 0, sse: 0, ws: 0, metrics: 0, healthz: 0, other: 0, total: 0 };
  for (const m of workers) for (const key of Object.keys(requests) as (keyof typeof requests)[]) requests[key] += m.requests[key];
  const delivered = { poll: sum((m) => m.events.delivered.poll), longPoll: sum((m) => m.events.delivered.longPoll), sse: sum((m) => m.events.delivered.sse), ws: sum((m) => m.events.delivered.ws), total: 0 };
  delivered.total = delivered.poll + delivered.longPoll + delivered.sse + delivered.ws;
  const drops = { sse: sum((m) => m.drops.slowConsumer.sse), ws: sum((m) => m.drops.slowConsumer.ws), total: 0 };
  drops.total = drops.sse + drops.ws;
  const perProcess: ServerProcessMetrics[] = [
    {
      pid: primary.pid,
      role: 'primary',
      cpu: { userUs: p.cpuUserUs, systemUs: p.cpuSystemUs },
      rssBytes: p.rssBytes,
      eventLoopUtilization: p.loopUtilization,
      connections: { open: 0, sse: 0, ws: 0, longPollWaiting: 0 },
      eventsDelivered: 0,
    },
    ...workers.map((m): ServerProcessMetrics => ({
      pid: m.pid,
      role: 'worker',
      cpu: { ...m.cpu },
      rssBytes: m.memory.rssBytes,
      eventLoopUtilization: m.eventLoop.utilization,
      connections: { open: m.connections.open, sse: m.connections.sse, ws: m.connections.ws, longPollWaiting: m.connections.longPollWaiting },
      eventsDelivered: m.events.delivered.total,
    })),
  ];
  return {
    protocol: first.protocol,
    server: first.server,
    pid: primary.pid,
    uptimeMs: primary.uptimeMs,
    cpu: { userUs: p.cpuUserUs + sum((m) => m.cpu.userUs), systemUs: p.cpuSystemUs + sum((m) => m.cpu.systemUs) },
    memory: {
      rssBytes: p.rssBytes + sum((m) => m.memory.rssBytes),
      rssPeakBytes: p.rssPeakBytes + sum((m) => m.memory.rssPeakBytes),
      heapUsedBytes: p.heapUsedBytes + sum((m) => m.memory.heapUsedBytes),
      heapTotalBytes: p.heapTotalBytes + sum((m) => m.memory.heapTotalBytes),
      externalBytes: p.externalBytes + sum((m) => m.memory.externalBytes),
    },
    eventLoop: {
      utilization: Math.max(p.loopUtilization, max((m) => m.eventLoop.utilization)),
      activeMs: Math.max(p.loopActiveMs, max((m) => m.eventLoop.activeMs)),
      idleMs: workers.reduce((least, m) => Math.min(least, m.eventLoop.idleMs), p.loopIdleMs),
      delay: worst(p.loopDelay, (m) => m.eventLoop.delay),
      delaySinceStart: worst(p.loopDelaySinceStart, (m) => m.eventLoop.delaySinceStart),
    },
    connections: {
      open: sum((m) => m.connections.open),
      accepted: sum((m) => m.connections.accepted),
      sse: sum((m) => m.connections.sse),
      ws: sum((m) => m.connections.ws),
      longPollWaiting: sum((m) => m.connections.longPollWaiting),
    },
    requests,
    rejected,
    clientErrors: sum((m) => m.clientErrors),
    badFrames: sum((m) => m.badFrames),
    bytes: { in: sum((m) => m.bytes.in), out: sum((m) => m.bytes.out) },
    events: { published: sum((m) => m.events.published), delivered },
    drops: { slowConsumer: drops },
    log: { topics: max((m) => m.log.topics), ringCapacity: first.log.ringCapacity, evictions: max((m) => m.log.evictions) },
    processes: workers.length,
    perProcess,
  };
}
