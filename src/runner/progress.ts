import type { Histogram } from '../metrics/histogram.js';

/** What the runner tells a progress display. Listeners only; the runner never prints. */
export type Stage = 'starting' | 'connecting' | 'warming up' | 'measuring' | 'draining' | 'collecting';

export interface PhaseProgress {
  phaseKey: string;
  phaseNumber: number;
  phaseCount: number;
  stage: Stage;
  /** Seconds since the phase started, and the phase's expected length. */
  elapsedS: number;
  expectedS: number;
  connected: number;
  clients: number;
  /** Deliveries received over the last second. */
  eventsPerS: number;
  /** p99 delivery latency so far in this phase, µs (null before any delivery). */
  p99Us: number | null;
}

export type ProgressListener = (progress: PhaseProgress) => void;

/**
 * One second of one phase as the run goes (for `--out ndjson=FILE` / `csv=FILE`): the
 * clients' counters over that second, its latency percentiles, and the server's and the
 * generator's load. Null where nothing was measured.
 */
export interface SecondRecord {
  phase: string;
  transport: string;
  /** The second just ended, counted from the phase's start (1 = the first). */
  t: number;
  stage: Stage;
  connected: number;
  delivered: number;
  requests: number;
  bytesDown: number;
  latencyP50Us: number | null;
  latencyP99Us: number | null;
  serverCpuPercent: number | null;
  serverRssBytes: number | null;
  generatorCpuPercent: number | null;
}

/**
 * What one second adds beyond its record, for the live metrics (`--metrics-port`); not
 * written to the live files. Totals are the phase's so far (every worker's counters at the
 * end of that second), so a reader that misses a second loses nothing.
 */
export interface SecondDetail {
  /** Latency (µs) of every event received during that second: the record's p50/p99 come from it. */
  latency: Histogram;
  totals: PhaseTotals;
}

/** A phase's cumulative client figures at the end of one of its seconds. */
export interface PhaseTotals {
  /** First receipts of any event (the sum of the records' `delivered`). */
  delivered: number;
  requests: number;
  bytesDown: number;
  bytesUp: number;
  /** Window events received again by the same subscriber. */
  duplicated: number;
  reconnects: number;
  /** CPU of the generator process (every thread) since the phase's first sample, µs; null before two samples. */
  generatorCpuUs: number | null;
}

export type SecondListener = (record: SecondRecord, detail: SecondDetail) => void;
