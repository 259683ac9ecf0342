import type { PhaseResult, RunResult } from './types.js';

/** Repetitions in a result: its largest repeat number (1 without `--repeat`). */
export function repeatsOf(result: Pick<RunResult, 'phases'>): number {
  return Math.max(1, ...result.phases.map((p) => p.repeat));
}

/** How a phase is named in tables and sentences: its key, plus "#2" for the second repetition. */
export function phaseLabel(phase: Pick<PhaseResult, 'key' | 'repeat'>, repeats: number): string {
  return repeats > 1 ? `${phase.key} #${phase.repeat}` : phase.key;
}
