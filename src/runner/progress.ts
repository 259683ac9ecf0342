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

export type SecondListener = (record: SecondRecord) => void;
