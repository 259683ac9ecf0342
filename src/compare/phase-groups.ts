import type { PhaseResult, RunResult } from '../result/types.js';

/** A result's phases by key, repeats together, in the order the keys first appear. */
export function groupPhases(result: RunResult): Map<string, PhaseResult[]> {
  const groups = new Map<string, PhaseResult[]>();
  for (const phase of result.phases) {
    const group = groups.get(phase.key);
    if (group) group.push(phase);
    else groups.set(phase.key, [phase]);
  }
  return groups;
}
