import { mean } from 'simple-statistics';
import { isDeterministic, metricDefinition } from '../metrics/catalog.js';
import type { AnyMetricName } from '../metrics/latency-percentile.js';
import { phaseMetricValue } from '../result/metric-value.js';
import type { PhaseResult } from '../result/types.js';
import { judgeNoise } from './noise.js';
import type { MetricComparison, Verdict } from './types.js';

/** One metric of one phase (a latency percentile outside the catalogue read from the histograms), baseline repeats against candidate repeats. */
export function compareMetric(metric: AnyMetricName, baseline: readonly PhaseResult[], candidate: readonly PhaseResult[]): MetricComparison {
  const a = sideValue(metric, baseline);
  const b = sideValue(metric, candidate);
  const delta = a === null || b === null ? null : b - a;
  const relative = a === null || b === null ? null : a === b ? 0 : a === 0 ? null : (b - a) / Math.abs(a);
  const noise = judgeNoise(metric, baseline, candidate);
  const arrivals = [...baseline, ...candidate].map((p) => p.params.arrival);
  // A figure machine noise can move, with no estimate of that noise: a change, not a verdict.
  const unjudged = noise === undefined && !isDeterministic(metric, arrivals);
  return { metric, baseline: a, candidate: b, delta, relative, verdict: verdictOf(metric, delta, noise?.beyondNoise, unjudged), ...(noise ? { noise } : {}) };
}

/** The side's figure: the mean over its repeats that measured it, null when none did. */
function sideValue(metric: AnyMetricName, phases: readonly PhaseResult[]): number | null {
  const values = phases.map((p) => phaseMetricValue(p, metric)).filter((v): v is number => v !== null);
  return values.length === 0 ? null : mean(values);
}

function verdictOf(metric: AnyMetricName, delta: number | null, beyondNoise: boolean | undefined, unjudged: boolean): Verdict {
  if (delta === null) return 'unknown';
  if (delta === 0) return 'unchanged';
  if (beyondNoise === false) return 'within-noise';
  const better = metricDefinition(metric).better;
  if (better === 'none' || unjudged) return 'changed';
  return (delta < 0) === (better === 'lower') ? 'improved' : 'regressed';
}
