import { formatCount, formatDurationUs } from '../format.js';
import type { PhaseResult, RunResult } from '../result/types.js';
import { phaseLabel } from '../result/phase-label.js';

/**
 * The verdict's sentence on faults (DESIGN §7), for runs whose phases were struck by one:
 * which transport recovered fastest (median time from a cut or restart to its next event)
 * and slowest, which lost least and most, and how much worse p99 latency was during the
 * faults than outside them. Undefined when no phase was struck. Figures not measured are
 * left out, never read as 0.
 */
export function renderFaultVerdict(result: RunResult, repeats: number): string | undefined {
  const struck = result.phases.filter((p) => p.metrics.cuts !== null && p.metrics.cuts > 0);
  if (struck.length === 0) return undefined;
  const name = (p: PhaseResult): string => phaseLabel(p, repeats);
  const parts: string[] = [];
  const byRecovery = struck.filter((p) => p.metrics['recovery.p50'] !== null).sort((a, b) => a.metrics['recovery.p50']! - b.metrics['recovery.p50']!);
  if (byRecovery.length > 0) {
    const [fast, slow] = [byRecovery[0], byRecovery.at(-1)!];
    parts.push(
      byRecovery.length === 1
        ? `${name(fast)} recovered in a median ${formatDurationUs(fast.metrics['recovery.p50'])}`
        : `${name(fast)} recovered fastest (median ${formatDurationUs(fast.metrics['recovery.p50'])}; slowest ${name(slow)}, ${formatDurationUs(slow.metrics['recovery.p50'])})`,
    );
  }
  const byLoss = struck.filter((p) => p.metrics.lost !== null).sort((a, b) => a.metrics.lost! - b.metrics.lost!);
  if (byLoss.length > 0) {
    const [least, most] = [byLoss[0], byLoss.at(-1)!];
    if (most.metrics.lost === 0) parts.push('none lost an event');
    else {
      const tied = byLoss.filter((p) => p.metrics.lost === least.metrics.lost).map(name);
      const restarts = most.metrics.lost_in_restarts !== null && most.metrics.lost_in_restarts > 0 ? `, ${formatCount(most.metrics.lost_in_restarts)} of them in a log a restart lost` : '';
      parts.push(`${tied.join(' and ')} lost least (${formatCount(least.metrics.lost)}; most: ${name(most)}, ${formatCount(most.metrics.lost)}${restarts})`);
    }
  }
  const during = struck.filter((p) => p.metrics['latency.p99_during_faults'] !== null && p.metrics['latency.p99_outside_faults'] !== null);
  if (during.length > 0) {
    parts.push(`p99 latency during the faults against outside them: ${during.map((p) => `${name(p)} ${formatDurationUs(p.metrics['latency.p99_during_faults'])} vs ${formatDurationUs(p.metrics['latency.p99_outside_faults'])}`).join(', ')}`);
  }
  return parts.length > 0 ? `Through the faults, ${parts.join('; ')}.` : undefined;
}
