import { nowUs } from '../clock.js';
import { PROTOCOL_VERSION } from '../protocol/routes.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { ServerContext } from './context.js';

/** The server's `/metrics` figures right now. */
export function metricsSnapshot(ctx: ServerContext): ServerMetrics {
  const { stats } = ctx;
  const load = ctx.load.sample();
  const bytes = ctx.sockets.totals();
  const r = stats.requests;
  const d = stats.delivered;
  return {
    protocol: PROTOCOL_VERSION,
    server: 'rtbench-reference',
    pid: process.pid,
    uptimeMs: Math.floor((nowUs() - ctx.startedAtUs) / 1000),
    cpu: { userUs: load.cpuUserUs, systemUs: load.cpuSystemUs },
    memory: {
      rssBytes: load.rssBytes,
      rssPeakBytes: load.rssPeakBytes,
      heapUsedBytes: load.heapUsedBytes,
      heapTotalBytes: load.heapTotalBytes,
      externalBytes: load.externalBytes,
    },
    eventLoop: {
      utilization: load.loopUtilization,
      activeMs: load.loopActiveMs,
      idleMs: load.loopIdleMs,
      delay: load.loopDelay,
      delaySinceStart: load.loopDelaySinceStart,
    },
    connections: {
      open: ctx.sockets.open,
      accepted: ctx.sockets.accepted,
      sse: stats.open.sse,
      ws: stats.open.ws,
      longPollWaiting: stats.open.longPollWaiting,
    },
    requests: { ...r, total: r.publish + r.poll + r.longPoll + r.sse + r.ws + r.metrics + r.healthz + r.other },
    rejected: { ...stats.rejected },
    clientErrors: stats.clientErrors,
    badFrames: stats.badFrames,
    bytes: { in: bytes.bytesIn, out: bytes.bytesOut },
    events: { published: stats.eventsPublished, delivered: { ...d, total: d.poll + d.longPoll + d.sse + d.ws } },
    drops: { slowConsumer: { ...stats.slowConsumerDrops, total: stats.slowConsumerDrops.sse + stats.slowConsumerDrops.ws } },
    log: { topics: ctx.hub.topicCount, ringCapacity: ctx.options.ringCapacity, evictions: stats.logEvictions },
  };
}
