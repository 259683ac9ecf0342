import { formatMetric, formatMetricChange, formatRelativeChange } from '../metrics/metric-text.js';
import type { PhaseResult, ThresholdOutcome } from '../result/types.js';
import { holds } from '../thresholds/evaluate-thresholds.js';
import type { RelativeCheck } from '../thresholds/grammar.js';
import { selectorMatches } from '../thresholds/selectors.js';
import { compareMetric } from './compare-metric.js';
import { describeNoise } from './noise-text.js';

/** One phase present in both files: its repeats on each side. */
export interface PhasePair {
  readonly key: string;
  readonly transport: string;
  readonly baseline: readonly PhaseResult[];
  readonly candidate: readonly PhaseResult[];
}

/**
 * `--fail-on` checks against every matched phase they select: an outcome fails when the
 * change from baseline to candidate meets the check's (failing) condition. For a metric that
 * machine noise can move and that has a noise judgement (latency quantiles; any such metric
 * when both sides were repeated), a change within noise does not fail: CI must not go red on
 * noise. Deterministic metrics fail on any change that meets the condition. A metric missing
 * on either side fails, saying so.
 */
export function evaluateFailOn(checks: readonly RelativeCheck[], pairs: readonly PhasePair[]): ThresholdOutcome[] {
  return checks.flatMap((check) => pairs.filter((pair) => selectorMatches(check.selector, pair)).map((pair) => evaluateOne(check, pair)));
}

function evaluateOne(check: RelativeCheck, pair: PhasePair): ThresholdOutcome {
  const m = compareMetric(check.metric, pair.baseline, pair.candidate);
  const base = { expression: check.expression, phase: pair.key, metric: check.metric };
  if (m.baseline === null || m.candidate === null) {
    const side = m.baseline === null && m.candidate === null ? 'in either file' : m.baseline === null ? 'in the baseline' : 'in the candidate';
    return { ...base, actual: null, ok: false, message: `${pair.key}: ${check.metric} was not measured ${side}` };
  }
  const change = check.change.kind === 'relative' ? (m.relative ?? Math.sign(m.delta!) * Infinity) : m.delta!;
  const meets = holds(change, check.op, check.change.value);
  const what = `${pair.key}: ${check.metric} ${formatMetric(check.metric, m.baseline)} → ${formatMetric(check.metric, m.candidate)} (${formatMetricChange(check.metric, m.delta)}, ${m.relative === null ? 'from 0' : formatRelativeChange(m.relative)})`;
  const condition = `${check.op} ${check.changeText}`;
  if (!meets) return { ...base, actual: change, ok: true, message: what };
  if (m.noise !== undefined && !m.noise.beyondNoise) {
    return { ...base, actual: change, ok: true, message: `${what} is ${condition} but ${describeNoise(check.metric, m.noise)}; not counted` };
  }
  return { ...base, actual: change, ok: false, message: `${what} is ${condition}${m.noise ? `, ${describeNoise(check.metric, m.noise)}` : ''}` };
}
