import type { PhaseResult } from './types.js';

/** How a phase is named in tables and sentences: its key, plus "#2" for the second repetition. */
export function phaseLabel(phase: Pick<PhaseResult, 'key' | 'repeat'>, repeats: number): string {
  return repeats > 1 ? `${phase.key} #${phase.repeat}` : phase.key;
}
