/**
 * The result file (DESIGN §5): one JSON document per run, `"schema": "rtbench.result/1"`.
 * Everything a report, a comparison or a threshold check needs is in here, so results can
 * be re-reported, merged and compared later without re-running. Numbers are in the units
 * their names or the metric catalogue give (µs, bytes, counts).
 */
import type { SweepParam } from '../config/types.js';
import type { PhaseMetrics } from '../metrics/catalog.js';
import type { Transport } from '../protocol/transports.js';

export const RESULT_SCHEMA = 'rtbench.result/1';

/** Defined with the configuration that sweeps; named here too, as the result file records it. */
export type { SweepParam };

export interface RunResult {
  schema: typeof RESULT_SCHEMA;
  tool: { name: 'rtbench'; version: string };
  startedAt: string;
  finishedAt: string;
  /** 'partial' when the run was interrupted (Ctrl-C) or failed part-way; phases hold what was measured. */
  status: 'complete' | 'partial';
  interruption?: { reason: 'interrupted' | 'failed'; message: string };
  environment: Environment;
  scenario: { name: string; description: string; file?: string };
  /** The resolved configuration the run used (see config/resolve.ts). */
  config: Record<string, unknown>;
  target: { kind: 'reference' | 'external'; url?: string; serverPid?: number; profile?: { name: string; source: string } };
  /** Things the run decided that the reader should know, e.g. transports the profile does not offer, skipped. */
  notes?: string[];
  phases: PhaseResult[];
  /** Threshold outcomes when thresholds were evaluated at the end of the run. */
  thresholds?: ThresholdOutcome[];
  /** This result is one shard of a sharded run (`run --shard i/N`): `rtbench merge` combines them. */
  shard?: ShardInfo;
  /** This result was merged from shard results (`rtbench merge`): each shard's part, and whose clock timed what. */
  merged?: MergedInfo;
}

export interface ShardInfo {
  index: number;
  count: number;
  /** Shared by every shard of one run: the topics on the target are named after it. */
  runId: string;
  /** The origin this shard published as (`p<index>`): its latency figures time only these events. */
  origin: string;
}

export interface MergedInfo {
  shardCount: number;
  runId: string;
  /** Whose clock measured what, in words (DESIGN §6: no clock sync is needed). */
  clocks: string;
  shards: MergedShard[];
}

export interface MergedShard {
  index: number;
  origin: string;
  hostname: string;
  startedAt: string;
  finishedAt: string;
  status: 'complete' | 'partial';
  /** Per phase key: the shard's own figures, as it measured them. */
  phases: { key: string; repeat: number; status: PhaseResult['status']; clients: number; delivered: number; lost: number | null; latencyP99Us: number | null; publishErrors: number }[];
}

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  osRelease: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  hostname: string;
  /** The generator's clients (`--client`): `raw` falls back to `reference` per phase where it cannot serve (Socket.IO, HTTP/2, TLS, non-v1 poll bodies). Absent in results before it was recorded. */
  client?: 'raw' | 'reference';
}

export interface PhaseResult {
  /** Unique within a run apart from repeats: "sse", "polling@1s", "ws[clients=500]". */
  key: string;
  transport: Transport;
  /** The transport option that tells phases of one transport apart, e.g. the polling interval "1s". */
  variant?: string;
  sweep?: { param: SweepParam; value: number; label: string };
  /** 1-based repetition (`run --repeat N`). */
  repeat: number;
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  /** Why it failed, as a stable code (RTB_ERR_*): the run's exit status follows from it. */
  errorCode?: string;
  /** The effective parameters of this phase. */
  params: PhaseParams;
  metrics: PhaseMetrics;
  /** Where the server.* figures came from: the server's /metrics, /proc/<pid>, or nowhere (null figures). */
  serverLoadSource: 'metrics' | 'proc' | 'none';
  /** Counters read from the profile's stats page at the window's end (server-load.stats); null where a field did not match. */
  serverStats?: Record<string, number | null>;
  /** Plain-words warnings, e.g. that the generator saturated and latency is inflated. */
  warnings: string[];
  generatorSaturated: boolean;
  /** Polling: the polls the interval asked for in the window (made + slots missed). */
  pollsScheduled?: number;
  timeseries: TimeSeries;
  /** The faults that struck the phase, where they fell on the time series (the HTML timeline marks them). */
  faults?: FaultMark[];
  /** HDR histograms, compressed base64 (hdr-histogram-js encodeIntoCompressedBase64), values in µs. */
  histograms: { latency: string; connect: string; publisherLag: string; /** Time from each cut to the next event, when a fault cut clients. */ recovery?: string };
}

/** One fault on a phase's timeline, in seconds from the phase's start (as TimeSeries.t). */
export interface FaultMark {
  kind: 'cut' | 'storm' | 'stall' | 'restart';
  atS: number;
  /** When it ended, for faults that last (a stall, a restart: until the server answered again). */
  untilS?: number;
  /** Short words for the chart, e.g. "restart, log kept". */
  label: string;
}

export interface PhaseParams {
  pattern: 'broadcast' | 'per-client' | 'rooms';
  clients: number;
  topics: number;
  /** Events/s: per topic (broadcast), total (per-client), per client upstream (rooms). */
  rate: number;
  arrival: 'poisson' | 'fixed';
  payloadBytes: number;
  roomSize?: number;
  pollIntervalUs?: number;
  longPollTimeoutMs?: number;
  sseClient?: 'fast' | 'eventsource';
  /** '2': HTTP/2 (absent: HTTP/1.1). */
  http?: '2';
  /** Over TLS. */
  tls?: true;
  /** HTTP/2: subscribers sharing one connection. */
  streamsPerConnection?: number;
  durationUs: number;
  warmupUs: number;
  drainUs: number;
  workers: number;
  /** Child processes the workers ran in (--processes); absent when they were threads of rtbench itself. */
  processes?: number;
  seed: number;
}

/**
 * Per-second series over the whole phase (connect, warm-up, window, drain). `t[i]` is the
 * end of second i, in seconds since the phase started; the window is [windowStartS, windowEndS].
 * Missing samples are null.
 */
export interface TimeSeries {
  t: number[];
  windowStartS: number;
  windowEndS: number;
  connected: number[];
  /** Deliveries received that second (any event). */
  delivered: number[];
  published: number[];
  requests: number[];
  bytesDown: number[];
  latencyP50Us: (number | null)[];
  latencyP99Us: (number | null)[];
  serverCpuPercent: (number | null)[];
  serverRssBytes: (number | null)[];
  serverLoopDelayP99Us: (number | null)[];
  generatorCpuPercent: (number | null)[];
}

export interface ThresholdOutcome {
  expression: string;
  /** The phase key the check ran against. */
  phase: string;
  metric: string;
  actual: number | null;
  ok: boolean;
  message: string;
}
