import { formatMetric } from '../metrics/metric-text.js';
import type { PhaseResult, RunResult, ThresholdOutcome } from '../result/types.js';
import { holds } from './comparator.js';
import { selectorMatches } from './selector.js';
import type { Threshold } from './types.js';
import { phaseLabel } from '../result/phase-label.js';

/**
 * Every threshold against every phase it selects: one outcome per threshold × matching phase
 * (repeats included), in threshold order then phase order. A metric that was not measured
 * (null) fails as "no data"; a partial phase is judged on what it measured, a failed one fails. A
 * threshold that matches no phase of the result fails too, never a silent pass.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], result: RunResult): ThresholdOutcome[] {
  const repeats = Math.max(1, ...result.phases.map((p) => p.repeat));
  return thresholds.flatMap((t) => {
    const phases = result.phases.filter((p) => selectorMatches(t.selector, p));
    if (phases.length === 0) {
      return [{ expression: t.expression, phase: t.selector, metric: t.metric, actual: null, ok: false, message: `no phase of this result matches "${t.selector}"` }];
    }
    return phases.map((phase) => evaluateOne(t, phase, phaseLabel(phase, repeats)));
  });
}

function evaluateOne(t: Threshold, phase: PhaseResult, label: string): ThresholdOutcome {
  const actual = phase.metrics[t.metric] ?? null;
  const state = phase.status === 'complete' ? '' : ` (phase ${phase.status})`;
  const base = { expression: t.expression, phase: phase.key, metric: t.metric, actual };
  // A failed phase measured nothing trustworthy: no check over it passes (DESIGN §4).
  if (phase.status === 'failed') return { ...base, ok: false, message: `${label}: phase failed${phase.error ? ` (${phase.error})` : ''}; ${t.metric} not judged` };
  if (actual === null) return { ...base, ok: false, message: `${label}: no data — ${t.metric} was not measured${state}` };
  const ok = holds(actual, t.op, t.limit);
  const shown = formatMetric(t.metric, actual);
  return {
    ...base,
    ok,
    message: ok ? `${label}: ${t.metric} ${shown} ${t.op} ${t.limitText}${state}` : `${label}: ${t.metric} ${shown}, expected ${t.op} ${t.limitText}${state}`,
  };
}
