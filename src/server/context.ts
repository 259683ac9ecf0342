import type { Hub } from './hub.js';
import type { ServerOptions } from '../server-options.js';
import type { ServerStats } from './server-stats.js';
import type { SocketAccounting } from '../metrics/socket-bytes.js';
import type { ProcessLoadSampler } from '../metrics/process-load.js';
import type { SseStream } from './routes/sse.js';
import type { WsStream } from './routes/ws.js';
import type { LongPollWaiter } from './routes/long-poll.js';
import { RequestRejection } from './http-io.js';
import type { Topic } from './hub.js';
import type { HostOriginPolicy } from './host-origin.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';

/** What every route handler of one reference server shares. */
export interface ServerContext {
  readonly options: ServerOptions;
  readonly stats: ServerStats;
  readonly hub: Hub;
  readonly sockets: SocketAccounting;
  readonly load: ProcessLoadSampler;
  /** When the server started, on the one clock (src/clock.ts), in µs. */
  readonly startedAtUs: number;
  /** Which Host and Origin headers the server answers. */
  readonly access: HostOriginPolicy;
  /** Open streams and held long-polls, for heartbeats, pings and shutdown. */
  readonly sseStreams: Set<SseStream>;
  readonly wsStreams: Set<WsStream>;
  readonly waiters: Set<LongPollWaiter>;
  /** A worker of a multi-process server: `/metrics` answers every process's figures combined (cluster-metrics.ts). */
  readonly clusterMetrics?: () => Promise<ServerMetrics>;
}

/** The named topic, or a 429 when the server already holds its maximum number of topics. */
export function topicOrReject(ctx: ServerContext, name: string): Topic {
  const topic = ctx.hub.topic(name);
  if (topic === undefined) {
    throw new RequestRejection(429, 'too_many_topics', `the server holds its maximum of ${ctx.options.maxTopics} topics`, 'topic');
  }
  return topic;
}
