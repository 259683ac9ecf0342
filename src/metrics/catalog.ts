/**
 * Every number a phase result reports, declared once: name, unit, which direction is
 * better, and what it means. Thresholds are checked against this list before anything runs
 * (a threshold on an unknown metric is an error), compare uses `better` to call a change an
 * improvement or a regression, and renderers use `unit` to format.
 *
 * Values are stored in the unit named here: durations in integer µs, sizes in bytes,
 * ratios as fractions (0.5 = 50%), CPU as percent of one core. Beyond these keys, an
 * expression may name any latency percentile (`latency.p95`, `latency.p(99.99)`), computed
 * from the phase's stored histogram (latency-percentile.ts).
 */

import { latencyPercentileOf, percentileDefinition, type AnyMetricName } from './latency-percentile.js';

export type MetricUnit = 'us' | 'bytes' | 'count' | 'ratio' | 'fraction' | 'percent' | 'per_second';

export interface MetricDefinition {
  readonly unit: MetricUnit;
  /** Which way is better; 'none' for figures that are context, not quality. */
  readonly better: 'lower' | 'higher' | 'none';
  readonly description: string;
  /**
   * When the figure depends only on the schedule and the protocol, not on machine speed (safe
   * to gate CI on): `true` always; `'fixed-arrivals'` only for phases whose events arrive at
   * fixed spacing (`workload.arrival: fixed`) — with Poisson arrivals, events closer together
   * than a round trip share one long-poll answer, and how often that happens depends on how
   * fast the machine answers. Absent: machine speed moves it.
   */
  readonly deterministic?: true | 'fixed-arrivals';
}

export const METRICS = {
  // Delivery latency: receive time − scheduled publish time, over events scheduled in the window.
  'latency.min': { unit: 'us', better: 'lower', description: 'smallest delivery latency' },
  'latency.p50': { unit: 'us', better: 'lower', description: 'median delivery latency (receive − scheduled publish)' },
  'latency.p90': { unit: 'us', better: 'lower', description: '90th percentile delivery latency' },
  'latency.p99': { unit: 'us', better: 'lower', description: '99th percentile delivery latency' },
  'latency.p999': { unit: 'us', better: 'lower', description: '99.9th percentile delivery latency' },
  'latency.max': { unit: 'us', better: 'lower', description: 'largest delivery latency' },
  'latency.mean': { unit: 'us', better: 'lower', description: 'mean delivery latency' },

  // Delivery completeness, over events scheduled in the measurement window.
  expected: { unit: 'count', better: 'none', description: 'deliveries every subscriber should have received', deterministic: true },
  delivered: { unit: 'count', better: 'higher', description: 'deliveries received (each event once per subscriber)' },
  lost: { unit: 'count', better: 'lower', description: 'expected deliveries never received, counted per stream from seq gaps (origin, topic, subscriber)', deterministic: true },
  unexpected: { unit: 'count', better: 'lower', description: 'deliveries of events whose publish the server answered as failed' },
  delivered_ratio: { unit: 'fraction', better: 'higher', description: 'delivered / expected', deterministic: true },
  duplicated: { unit: 'count', better: 'lower', description: 'deliveries received more than once', deterministic: true },
  out_of_order: { unit: 'count', better: 'lower', description: 'deliveries received after a later event of the same origin', deterministic: true },
  gaps: { unit: 'count', better: 'lower', description: 'gap markers from the server (cursor fell out of its log)', deterministic: true },

  // Connections.
  clients: { unit: 'count', better: 'none', description: 'clients the phase asked for', deterministic: true },
  connected: { unit: 'count', better: 'higher', description: 'clients that connected at least once during the phase (counted when it stopped)' },
  connect_errors: { unit: 'count', better: 'lower', description: 'failed connection attempts', deterministic: true },
  reconnects: { unit: 'count', better: 'lower', description: 'reconnections after a connection was lost' },
  cuts: { unit: 'count', better: 'none', description: 'clients whose connections a fault (cut, storm, restart) closed' },
  lost_in_restarts: { unit: 'count', better: 'lower', description: 'of lost: events a restarted server had accepted that the subscriber had not received when it stopped, gone with its log (restart with log: lose)' },
  'latency.p50_during_faults': { unit: 'us', better: 'lower', description: 'median delivery latency over the seconds a fault touched (from its start until the slowest client had recovered)' },
  'latency.p99_during_faults': { unit: 'us', better: 'lower', description: '99th percentile delivery latency over the seconds a fault touched' },
  'latency.p50_outside_faults': { unit: 'us', better: 'lower', description: 'median delivery latency over the window\'s other seconds' },
  'latency.p99_outside_faults': { unit: 'us', better: 'lower', description: '99th percentile delivery latency over the window\'s other seconds' },
  'server.rss_peak_during_faults': { unit: 'bytes', better: 'lower', description: 'highest server RSS sampled in the seconds a fault touched (a storm\'s reconnects, a restart\'s reload)' },
  'recovery.p50': { unit: 'us', better: 'lower', description: 'median time from a cut to the first event after it' },
  'recovery.p99': { unit: 'us', better: 'lower', description: '99th percentile time from a cut to the first event after it' },
  'recovery.max': { unit: 'us', better: 'lower', description: 'slowest recovery from a cut' },
  request_errors: { unit: 'count', better: 'lower', description: 'requests of connected clients that failed without an answer (connection reset or refused)' },
  protocol_errors: { unit: 'count', better: 'lower', description: 'answers of the wrong shape (status, content type, body) for the profile' },
  other_messages: { unit: 'count', better: 'none', description: 'messages that carried no rtbench event (heartbeats, control packets, other traffic)' },
  'connect.p50': { unit: 'us', better: 'lower', description: 'median time to connect (first answer, stream open, WebSocket open)' },
  'connect.p99': { unit: 'us', better: 'lower', description: '99th percentile time to connect' },
  'connect.max': { unit: 'us', better: 'lower', description: 'slowest connect' },

  // Client-side cost, over the measurement window.
  requests: { unit: 'count', better: 'lower', description: 'HTTP requests made by subscribers (polls, long-polls, SSE connects, WebSocket upgrades)' },
  requests_per_second: { unit: 'per_second', better: 'lower', description: 'subscriber requests per second' },
  requests_per_event: { unit: 'ratio', better: 'lower', description: 'subscriber requests per delivered event', deterministic: 'fixed-arrivals' },
  empty_responses: { unit: 'count', better: 'lower', description: 'poll and long-poll answers with no events' },
  empty_ratio: { unit: 'fraction', better: 'lower', description: 'share of poll answers that were empty', deterministic: 'fixed-arrivals' },
  publish_requests: { unit: 'count', better: 'none', description: 'publishes sent (POST /publish or WebSocket frames)' },
  publish_errors: { unit: 'count', better: 'lower', description: 'publishes the server refused or that failed' },
  publish_accepted: { unit: 'count', better: 'none', description: 'publishes scheduled in the window that the server accepted (a status the profile lists)' },
  events_per_second: { unit: 'per_second', better: 'higher', description: 'deliveries received per second' },
  connections: { unit: 'count', better: 'lower', description: 'subscriber TCP connections open at the window\'s end (HTTP/2 subscribers share one per streamsPerConnection)' },
  bytes_down: { unit: 'bytes', better: 'lower', description: 'bytes read by subscriber sockets (headers and framing included)' },
  bytes_up: { unit: 'bytes', better: 'lower', description: 'bytes written by subscriber sockets' },
  bytes_per_event: { unit: 'bytes', better: 'lower', description: 'bytes down per delivered event', deterministic: 'fixed-arrivals' },
  bytes_up_per_event: { unit: 'bytes', better: 'lower', description: 'bytes up per delivered event', deterministic: 'fixed-arrivals' },

  // Server-side cost, over the measurement window.
  'server.cpu_percent': { unit: 'percent', better: 'lower', description: 'server CPU, percent of one core' },
  'server.cpu_us_per_event': { unit: 'us', better: 'lower', description: 'server CPU time per delivered event' },
  'server.rss_baseline': { unit: 'bytes', better: 'lower', description: 'server RSS before clients connected' },
  'server.rss_peak': { unit: 'bytes', better: 'lower', description: 'highest server RSS sampled during the phase' },
  'server.memory_per_connection': { unit: 'bytes', better: 'lower', description: '(peak RSS − baseline) / connected clients' },
  'server.loop_delay_p99': { unit: 'us', better: 'lower', description: 'worst per-second p99 event-loop delay in the window' },
  'server.loop_delay_max': { unit: 'us', better: 'lower', description: 'largest event-loop delay in the window' },
  'server.loop_utilization': { unit: 'fraction', better: 'lower', description: 'event-loop utilisation over the window' },
  'server.open_connections': { unit: 'count', better: 'none', description: 'open TCP connections at the end of the window' },

  // The load generator itself: when it saturates, latency is inflated by rtbench, not the server.
  'generator.cpu_percent': { unit: 'percent', better: 'lower', description: 'generator process CPU, percent of one core (all threads)' },
  'generator.loop_delay_p99': { unit: 'us', better: 'lower', description: 'worst per-second p99 event-loop delay of the generator threads' },
  'generator.worker_utilization': { unit: 'fraction', better: 'lower', description: 'busiest client worker thread event-loop utilisation' },
  'generator.thread_cpu': { unit: 'fraction', better: 'lower', description: "busiest client thread's own CPU time over the window, as a share of one core (Linux: /proc/thread-self)" },

  // The publisher.
  'publisher.events': { unit: 'count', better: 'none', description: 'events published with a scheduled time in the window', deterministic: true },
  'publisher.lag_p50': { unit: 'us', better: 'lower', description: 'median publish delay behind schedule' },
  'publisher.lag_p99': { unit: 'us', better: 'lower', description: '99th percentile publish delay behind schedule' },
  'publisher.lag_max': { unit: 'us', better: 'lower', description: 'largest publish delay behind schedule' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** The definition of a catalogue metric, or of a latency percentile computed from the histogram (see latency-percentile.ts). */
export function metricDefinition(name: AnyMetricName): MetricDefinition {
  if (isMetricName(name)) return METRICS[name];
  const percentile = latencyPercentileOf(name);
  if (percentile === undefined) throw new Error(`not a metric: ${name}`);
  return percentileDefinition(percentile);
}

/**
 * True when the metric depends only on the schedule and the protocol for phases run with
 * these arrival processes (see MetricDefinition.deterministic): a comparison then has no noise
 * to judge.
 */
export function isDeterministic(name: AnyMetricName, arrivals: readonly ('poisson' | 'fixed')[]): boolean {
  const deterministic = metricDefinition(name).deterministic;
  return deterministic === true || (deterministic === 'fixed-arrivals' && arrivals.every((a) => a === 'fixed'));
}

/** A phase's figures: every catalogue metric, null when it could not be measured (e.g. server CPU of a target without /metrics). */
export type PhaseMetrics = Record<MetricName, number | null>;
