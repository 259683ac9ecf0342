import { wallClockIso } from '../clock.js';
import type { MetricName, PhaseMetrics } from '../metrics/catalog.js';
import { encodeHistogram, mergeEncoded, summarise } from '../metrics/histogram.js';
import type { MergedInfo, PhaseResult, RunResult, TimeSeries } from '../result/types.js';
import { checkShards, type ShardInput } from './check-shards.js';

/**
 * Counters that add up over shards: each shard counted its own clients' receipts (of every
 * origin) and its own publisher's events.
 */
const SUMMED: readonly MetricName[] = [
  'expected', 'delivered', 'lost', 'unexpected', 'duplicated', 'out_of_order', 'gaps', 'clients', 'connected', 'connect_errors', 'reconnects', 'cuts',
  'request_errors', 'protocol_errors', 'other_messages', 'requests', 'empty_responses', 'publish_requests', 'publish_errors', 'publish_accepted',
  'bytes_down', 'bytes_up', 'publisher.events',
];
/** The shared server's figures: every shard sampled the same server, so one shard's samples are used (shard 0's when it has them). */
const SERVER_COPIED: readonly MetricName[] = ['server.cpu_percent', 'server.rss_baseline', 'server.rss_peak', 'server.loop_delay_p99', 'server.loop_delay_max', 'server.loop_utilization', 'server.open_connections'];
/** Each shard's own generator: the busiest one is the run's limit. */
const GENERATOR_MAX: readonly MetricName[] = ['generator.loop_delay_p99', 'generator.worker_utilization', 'generator.thread_cpu'];

export const CLOCKS_NOTE =
  "Latency of each origin p<i> was timed on shard i's own host clock only (its publisher's scheduled ts, its subscribers' receive times); " +
  "every subscriber counted every origin's seq for loss, duplicates and order; server load is one shard's samples of the shared server. No clock synchronisation was assumed. " +
  "Rooms are split whole between shards: a room's members publish and receive on one host, so its latency is that host's clock alone.";

/**
 * The N shard results of one run → one result, as if one process had run every client
 * (DESIGN §6): counters added, HDR histograms merged exactly (latency, connect, publisher
 * lag, recovery), rates and per-event figures recomputed from the sums, the server's figures
 * from one shard's samples, per-shard detail kept under `merged`. Refuses inputs that are
 * not the shards of one run (see checkShards). Thresholds are the caller's to evaluate.
 */
export function mergeShardResults(inputs: readonly ShardInput[]): RunResult {
  const shards = checkShards(inputs).map((i) => i.result);
  const [base] = shards;
  const keyOf = (p: PhaseResult): string => `${p.key}#${p.repeat}`;
  const phases: PhaseResult[] = [];
  const notes = new Set<string>();
  for (const phase of base.phases) {
    const parts = shards.map((s) => s.phases.find((p) => keyOf(p) === keyOf(phase)));
    const present = parts.filter((p): p is PhaseResult => p !== undefined);
    if (present.length < shards.length) notes.add(`phase ${phase.key}${phase.repeat > 1 ? ` #${phase.repeat}` : ''}: ${shards.length - present.length} of ${shards.length} shards have no result for it; merged from the others, marked partial`);
    phases.push(mergePhase(present, parts.map((p, i) => (p === undefined ? undefined : i)).filter((i): i is number => i !== undefined), present.length < shards.length));
  }
  for (const s of shards) for (const note of s.notes ?? []) notes.add(note);
  if (shards.length > 1) notes.add("merged from shards: each second's latency p50/p99 in the time series is the highest of the shards' (the window's histograms are merged exactly)");
  const partial = shards.some((s) => s.status === 'partial') || phases.some((p) => p.status !== 'complete');
  const interrupted = shards.find((s) => s.interruption !== undefined);
  const { shard: _shard, sourceAddresses: _addresses, ...config } = base.config;
  const merged: MergedInfo = {
    shardCount: shards.length,
    runId: base.shard!.runId,
    clocks: CLOCKS_NOTE,
    shards: shards.map((s) => ({
      index: s.shard!.index,
      origin: s.shard!.origin,
      hostname: s.environment.hostname,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      status: s.status,
      phases: s.phases.map((p) => ({ key: p.key, repeat: p.repeat, status: p.status, clients: p.metrics.clients ?? 0, delivered: p.metrics.delivered ?? 0, lost: p.metrics.lost, latencyP99Us: p.metrics['latency.p99'], publishErrors: p.metrics.publish_errors ?? 0 })),
    })),
  };
  return {
    schema: base.schema,
    tool: base.tool,
    startedAt: shards.map((s) => s.startedAt).sort()[0],
    finishedAt: shards.map((s) => s.finishedAt).sort().at(-1) ?? wallClockIso(),
    status: partial ? 'partial' : 'complete',
    ...(interrupted?.interruption !== undefined ? { interruption: { ...interrupted.interruption, message: `shard ${interrupted.shard!.index}: ${interrupted.interruption.message}` } } : {}),
    environment: base.environment,
    scenario: base.scenario,
    config,
    target: base.target,
    notes: [...notes],
    phases,
    merged,
  };
}

/** One phase over the shards that ran it (`indexes`: their shard numbers, for warnings). */
function mergePhase(parts: readonly PhaseResult[], indexes: readonly number[], missingShards: boolean): PhaseResult {
  const [base] = parts;
  const sum = (name: MetricName): number | null => (parts.every((p) => p.metrics[name] !== null && p.metrics[name] !== undefined) ? parts.reduce((n, p) => n + (p.metrics[name] as number), 0) : null);
  const metrics = {} as PhaseMetrics;
  // Anything not handled below (a metric added later): kept when every shard agrees, unknown otherwise.
  for (const name of Object.keys(base.metrics) as MetricName[]) {
    const values = parts.map((p) => p.metrics[name]);
    metrics[name] = values.every((v) => v === values[0]) ? values[0] : null;
  }
  for (const name of SUMMED) if (name in base.metrics) metrics[name] = sum(name);

  const latency = mergeEncoded(parts.map((p) => p.histograms.latency));
  const connect = mergeEncoded(parts.map((p) => p.histograms.connect));
  const lag = mergeEncoded(parts.map((p) => p.histograms.publisherLag));
  const recoveryParts = parts.map((p) => p.histograms.recovery).filter((h): h is string => h !== undefined);
  const recovery = mergeEncoded(recoveryParts);
  const l = summarise(latency);
  const c = summarise(connect);
  const g = summarise(lag);
  const r = summarise(recovery);
  Object.assign(metrics, {
    'latency.min': l.min, 'latency.p50': l.p50, 'latency.p90': l.p90, 'latency.p99': l.p99, 'latency.p999': l.p999, 'latency.max': l.max, 'latency.mean': l.mean,
    'connect.p50': c.p50, 'connect.p99': c.p99, 'connect.max': c.max,
    'publisher.lag_p50': g.p50, 'publisher.lag_p99': g.p99, 'publisher.lag_max': g.max,
  });
  const cuts = metrics.cuts ?? 0;
  metrics['recovery.p50'] = cuts > 0 ? r.p50 : null;
  metrics['recovery.p99'] = cuts > 0 ? r.p99 : null;
  metrics['recovery.max'] = cuts > 0 ? r.max : null;

  // Window receipts per shard, recovered exactly from its events/s (= receipts ÷ window seconds).
  const windowS = (p: PhaseResult): number => Math.min(p.params.durationUs / 1e6, p.timeseries.windowEndS - p.timeseries.windowStartS);
  const received = parts.every((p) => p.metrics.events_per_second !== null) ? parts.reduce((n, p) => n + Math.round((p.metrics.events_per_second as number) * windowS(p)), 0) : null;
  const seconds = windowS(base);
  const perEvent = (n: number | null): number | null => (n !== null && received !== null && received > 0 ? n / received : null);
  const isPolling = base.transport === 'polling' || base.transport === 'long-polling';
  metrics.delivered_ratio = metrics.expected !== null && metrics.expected > 0 && metrics.delivered !== null ? metrics.delivered / metrics.expected : null;
  metrics.events_per_second = received !== null && seconds > 0 ? received / seconds : null;
  metrics.requests_per_second = metrics.requests !== null && seconds > 0 ? metrics.requests / seconds : null;
  metrics.requests_per_event = perEvent(metrics.requests);
  metrics.bytes_per_event = perEvent(metrics.bytes_down);
  metrics.bytes_up_per_event = perEvent(metrics.bytes_up);
  metrics.empty_ratio = isPolling && metrics.empty_responses !== null && metrics.requests !== null && metrics.requests > 0 ? metrics.empty_responses / metrics.requests : null;

  const serverIndex = Math.max(0, parts.findIndex((p) => p.serverLoadSource !== 'none'));
  const server = parts[serverIndex];
  for (const name of SERVER_COPIED) metrics[name] = server.metrics[name];
  const serverReceived = server.metrics.events_per_second !== null ? Math.round(server.metrics.events_per_second * windowS(server)) : null;
  metrics['server.cpu_us_per_event'] =
    server.metrics['server.cpu_us_per_event'] !== null && serverReceived !== null && received !== null && received > 0 ? (server.metrics['server.cpu_us_per_event'] * serverReceived) / received : null;
  const rssPeak = server.metrics['server.rss_peak'];
  const rssBaseline = server.metrics['server.rss_baseline'];
  metrics['server.memory_per_connection'] = rssPeak !== null && rssBaseline !== null && metrics.connected !== null && metrics.connected > 0 ? Math.max(0, rssPeak - rssBaseline) / metrics.connected : null;
  metrics['generator.cpu_percent'] = sum('generator.cpu_percent');
  for (const name of GENERATOR_MAX) {
    const values = parts.map((p) => p.metrics[name]).filter((v): v is number => v !== null);
    metrics[name] = values.length > 0 ? Math.max(...values) : null;
  }

  const warnings = new Set<string>();
  parts.forEach((p, i) => p.warnings.forEach((w) => warnings.add(`shard ${indexes[i]}: ${w}`)));
  const refusing = parts.map((p, i) => ((p.metrics.publish_errors ?? 0) > 0 ? `shard ${indexes[i]} (${p.metrics.publish_errors})` : undefined)).filter((s) => s !== undefined);
  if (refusing.length > 0 && parts.length > 1) {
    warnings.add(`The server refused publishes of ${refusing.join(', ')}: the other shards' subscribers counted those events as owed, so lost may include them.`);
  }
  const failed = parts.findIndex((p) => p.status === 'failed');
  const partial = parts.findIndex((p) => p.status === 'partial');
  const status: PhaseResult['status'] = failed >= 0 ? 'failed' : partial >= 0 || missingShards ? 'partial' : 'complete';
  const troubled = failed >= 0 ? failed : partial;
  const polls = parts.every((p) => p.pollsScheduled !== undefined) ? parts.reduce((n, p) => n + p.pollsScheduled!, 0) : undefined;
  return {
    key: base.key,
    transport: base.transport,
    ...(base.variant !== undefined ? { variant: base.variant } : {}),
    ...(base.sweep !== undefined ? { sweep: base.sweep } : {}),
    repeat: base.repeat,
    status,
    ...(troubled >= 0 && parts[troubled].error !== undefined ? { error: `shard ${indexes[troubled]}: ${parts[troubled].error}` } : {}),
    ...(troubled >= 0 && parts[troubled].errorCode !== undefined ? { errorCode: parts[troubled].errorCode } : {}),
    params: { ...base.params, workers: parts.reduce((n, p) => n + p.params.workers, 0) },
    metrics,
    serverLoadSource: server.serverLoadSource,
    ...(server.serverStats !== undefined ? { serverStats: server.serverStats } : {}),
    warnings: [...warnings],
    generatorSaturated: parts.some((p) => p.generatorSaturated),
    ...(polls !== undefined ? { pollsScheduled: polls } : {}),
    timeseries: mergeSeries(parts, serverIndex),
    histograms: {
      latency: encodeHistogram(latency),
      connect: encodeHistogram(connect),
      publisherLag: encodeHistogram(lag),
      ...(recoveryParts.length > 0 ? { recovery: encodeHistogram(recovery) } : {}),
    },
  };
}

/**
 * Per-second series by second of each shard's phase: counts added, the server's from one
 * shard, generator CPU added (the shards' processes together). Per-second latency cannot be
 * merged from percentiles: the highest of the shards' values is shown (an upper bound).
 */
function mergeSeries(parts: readonly PhaseResult[], serverIndex: number): TimeSeries {
  const length = Math.max(...parts.map((p) => p.timeseries.t.length));
  const server = parts[serverIndex].timeseries;
  const add = (pick: (s: TimeSeries) => number[]): number[] => Array.from({ length }, (_, i) => parts.reduce((n, p) => n + (pick(p.timeseries)[i] ?? 0), 0));
  const highest = (pick: (s: TimeSeries) => (number | null)[]): (number | null)[] =>
    Array.from({ length }, (_, i) => {
      const values = parts.map((p) => pick(p.timeseries)[i]).filter((v): v is number => v !== null && v !== undefined);
      return values.length > 0 ? Math.max(...values) : null;
    });
  const total = (pick: (s: TimeSeries) => (number | null)[]): (number | null)[] =>
    Array.from({ length }, (_, i) => {
      const values = parts.map((p) => pick(p.timeseries)[i]).filter((v): v is number => v !== null && v !== undefined);
      return values.length > 0 ? Math.round(values.reduce((n, v) => n + v, 0) * 1000) / 1000 : null;
    });
  const copy = (pick: (s: TimeSeries) => (number | null)[]): (number | null)[] => Array.from({ length }, (_, i) => pick(server)[i] ?? null);
  return {
    t: Array.from({ length }, (_, i) => i + 1),
    windowStartS: parts[0].timeseries.windowStartS,
    windowEndS: parts[0].timeseries.windowEndS,
    connected: add((s) => s.connected),
    delivered: add((s) => s.delivered),
    published: add((s) => s.published),
    requests: add((s) => s.requests),
    bytesDown: add((s) => s.bytesDown),
    latencyP50Us: highest((s) => s.latencyP50Us),
    latencyP99Us: highest((s) => s.latencyP99Us),
    serverCpuPercent: copy((s) => s.serverCpuPercent),
    serverRssBytes: copy((s) => s.serverRssBytes),
    serverLoopDelayP99Us: copy((s) => s.serverLoopDelayP99Us),
    generatorCpuPercent: total((s) => s.generatorCpuPercent),
  };
}
