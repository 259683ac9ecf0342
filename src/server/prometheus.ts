import { Counter, Gauge, Registry } from 'prom-client';
import type { ServerMetrics, ServerProcessMetrics } from '../protocol/server-metrics.js';

/**
 * Renders a `/metrics` snapshot in the Prometheus text format through prom-client, which
 * owns the exposition format (HELP/TYPE lines, label escaping). Values are read from the
 * snapshot at scrape time, so nothing on the hot path touches prom-client.
 */
export class PrometheusExposition {
  readonly #registry = new Registry();
  #current: ServerMetrics | undefined;

  /** `perProcess`: also the figures of each process of a multi-process server (ServerMetrics.perProcess). */
  constructor(options: { perProcess?: boolean } = {}) {
    const at = (): ServerMetrics => this.#current!;
    const registers = [this.#registry];
    const total = (name: string, help: string, labelNames: string[], read: (m: ServerMetrics) => [Record<string, string>, number][]): void => {
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect(this: Counter) {
          this.reset();
          for (const [labels, value] of read(at())) this.inc(labels, value);
        },
      });
    };
    const gauge = (name: string, help: string, labelNames: string[], read: (m: ServerMetrics) => [Record<string, string>, number][]): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect(this: Gauge) {
          this.reset();
          for (const [labels, value] of read(at())) this.set(labels, value);
        },
      });
    };
    const one = (value: number): [Record<string, string>, number][] => [[{}, value]];

    total('rtbench_server_cpu_user_seconds_total', 'User CPU time of the server process.', [], (m) => one(m.cpu.userUs / 1e6));
    total('rtbench_server_cpu_system_seconds_total', 'System CPU time of the server process.', [], (m) => one(m.cpu.systemUs / 1e6));
    gauge('rtbench_server_resident_memory_bytes', 'Resident set size.', [], (m) => one(m.memory.rssBytes));
    gauge('rtbench_server_resident_memory_peak_bytes', 'Highest resident set size since start.', [], (m) => one(m.memory.rssPeakBytes));
    gauge('rtbench_server_heap_used_bytes', 'V8 heap in use.', [], (m) => one(m.memory.heapUsedBytes));
    gauge('rtbench_server_event_loop_utilization_ratio', 'Event-loop utilisation since start.', [], (m) => one(m.eventLoop.utilization));
    gauge('rtbench_server_event_loop_delay_seconds', 'Event-loop delay over the last second.', ['quantile'], (m) => [
      [{ quantile: '0.5' }, m.eventLoop.delay.p50Us / 1e6],
      [{ quantile: '0.99' }, m.eventLoop.delay.p99Us / 1e6],
      [{ quantile: '1' }, m.eventLoop.delay.maxUs / 1e6],
    ]);
    gauge('rtbench_server_open_connections', 'Open TCP connections, SSE streams, WebSockets and held long-polls.', ['kind'], (m) => [
      [{ kind: 'tcp' }, m.connections.open],
      [{ kind: 'sse' }, m.connections.sse],
      [{ kind: 'ws' }, m.connections.ws],
      [{ kind: 'long-poll-waiting' }, m.connections.longPollWaiting],
    ]);
    total('rtbench_server_requests_total', 'Requests by route.', ['route'], (m) => [
      [{ route: 'publish' }, m.requests.publish],
      [{ route: 'poll' }, m.requests.poll],
      [{ route: 'long-poll' }, m.requests.longPoll],
      [{ route: 'sse' }, m.requests.sse],
      [{ route: 'ws' }, m.requests.ws],
      [{ route: 'metrics' }, m.requests.metrics],
      [{ route: 'healthz' }, m.requests.healthz],
      [{ route: 'other' }, m.requests.other],
    ]);
    total('rtbench_server_rejected_requests_total', 'Requests answered 4xx, by status.', ['status'], (m) =>
      Object.entries(m.rejected).map(([status, value]) => [{ status }, value]),
    );
    total('rtbench_server_client_errors_total', 'Malformed HTTP and sockets failing before a request.', [], (m) => one(m.clientErrors));
    total('rtbench_server_bad_frames_total', 'WebSocket frames that could not be published.', [], (m) => one(m.badFrames));
    total('rtbench_server_received_bytes_total', 'Bytes read from client sockets.', [], (m) => one(m.bytes.in));
    total('rtbench_server_sent_bytes_total', 'Bytes written to client sockets.', [], (m) => one(m.bytes.out));
    total('rtbench_server_events_published_total', 'Events published.', [], (m) => one(m.events.published));
    total('rtbench_server_events_delivered_total', 'Event deliveries by transport.', ['transport'], (m) => [
      [{ transport: 'polling' }, m.events.delivered.poll],
      [{ transport: 'long-polling' }, m.events.delivered.longPoll],
      [{ transport: 'sse' }, m.events.delivered.sse],
      [{ transport: 'ws' }, m.events.delivered.ws],
    ]);
    total('rtbench_server_slow_consumer_drops_total', 'Streams closed for exceeding the send buffer limit.', ['transport'], (m) => [
      [{ transport: 'sse' }, m.drops.slowConsumer.sse],
      [{ transport: 'ws' }, m.drops.slowConsumer.ws],
    ]);
    total('rtbench_server_log_evictions_total', 'Events evicted from topic rings.', [], (m) => one(m.log.evictions));
    gauge('rtbench_server_topics', 'Topics held.', [], (m) => one(m.log.topics));
    if (options.perProcess === true) {
      const each = (read: (p: ServerProcessMetrics) => number) => (m: ServerMetrics): [Record<string, string>, number][] =>
        (m.perProcess ?? []).map((p) => [{ pid: String(p.pid), role: p.role }, read(p)]);
      gauge('rtbench_server_processes', 'Worker processes serving clients.', [], (m) => one(m.processes ?? 1));
      total('rtbench_server_process_cpu_seconds_total', 'CPU time (user + system) of each server process.', ['pid', 'role'], each((p) => (p.cpu.userUs + p.cpu.systemUs) / 1e6));
      gauge('rtbench_server_process_resident_memory_bytes', 'Resident set size of each server process.', ['pid', 'role'], each((p) => p.rssBytes));
      gauge('rtbench_server_process_open_connections', 'Open TCP connections of each server process.', ['pid', 'role'], each((p) => p.connections.open));
    }
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  render(metrics: ServerMetrics): Promise<string> {
    this.#current = metrics;
    return this.#registry.metrics();
  }
}
