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
