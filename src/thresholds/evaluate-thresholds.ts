import { formatMetric } from '../metrics/metric-text.js';
import { phaseMetricValue } from '../result/metric-value.js';
import { phaseLabel, repeatsOf } from '../result/phase-label.js';
import type { PhaseResult, RunResult, ThresholdOutcome } from '../result/types.js';
import type { Comparator, Threshold } from './grammar.js';
import { selectorMatches } from './selectors.js';

/**
 * `actual <op> limit`, with equality judged to 1e-9 relative so that a measured 0.999
 * equals a written 99.9 % whatever the floating-point path to either.
 */
export function holds(actual: number, op: Comparator, limit: number): boolean {
  const equal = actual === limit || (Number.isFinite(actual) && Number.isFinite(limit) && Math.abs(actual - limit) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(limit)));
  switch (op) {
    case '<':
      return actual < limit && !equal;
    case '<=':
      return actual < limit || equal;
    case '>':
      return actual > limit && !equal;
    case '>=':
      return actual > limit || equal;
    case '==':
      return equal;
    case '!=':
      return !equal;
  }
}

/**
 * Every threshold against every phase it selects: one outcome per threshold × matching phase
 * (repeats included), in threshold order then phase order. A metric that was not measured
 * (null) fails as "no data"; a partial phase is judged on what it measured, a failed one fails. A
 * threshold that matches no phase of the result fails too, never a silent pass. A latency
 * percentile outside the catalogue is read from the phase's latency histogram.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], result: RunResult): ThresholdOutcome[] {
  const repeats = repeatsOf(result);
  return thresholds.flatMap((t) => {
    const phases = result.phases.filter((p) => selectorMatches(t.selector, p));
    if (phases.length === 0) {
      return [{ expression: t.expression, phase: t.selector, metric: t.metric, actual: null, ok: false, message: `no phase of this result matches "${t.selector}"` }];
    }
    return phases.map((phase) => evaluateOne(t, phase, phaseLabel(phase, repeats)));
  });
}

function evaluateOne(t: Threshold, phase: PhaseResult, label: string): ThresholdOutcome {
  const actual = phaseMetricValue(phase, t.metric);
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
