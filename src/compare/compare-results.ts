import { rtbError } from '../errors.js';
import type { MetricName } from '../metrics/catalog.js';
import type { AnyMetricName } from '../metrics/latency-percentile.js';
import { repeatsOf } from '../result/phase-label.js';
import type { PhaseResult, RunResult } from '../result/types.js';
import type { RelativeCheck } from '../thresholds/grammar.js';
import { checkSelectors } from '../thresholds/selectors.js';
import { checkComparable, type LoadedResult } from './comparable.js';
import { compareMetric } from './compare-metric.js';
import { evaluateFailOn, type PhasePair } from './fail-on.js';
import { groupPhases } from './phase-groups.js';
import type { Comparison, ComparedRun, PhaseComparison, ResultRef } from './types.js';

/** The figures `compare` shows unless `--metrics` picks others: delivery, cost to the client, cost to the server. */
export const DEFAULT_COMPARE_METRICS: readonly MetricName[] = [
  'latency.p50',
  'latency.p99',
  'latency.max',
  'delivered_ratio',
  'lost',
  'events_per_second',
  'requests_per_event',
  'bytes_per_event',
  'server.cpu_us_per_event',
  'server.memory_per_connection',
];

export interface CompareOptions {
  readonly metrics?: readonly AnyMetricName[];
  readonly failOn?: readonly RelativeCheck[];
}

/**
 * The first result is the baseline; each other one is compared with it, phase by phase
 * (matched by key: transport, variant and sweep value). Throws RTB_ERR_RESULT_MISMATCH for
 * results of another scenario, and RTB_ERR_THRESHOLD_INVALID for a `--fail-on` selector that
 * matches no phase present in both files.
 */
export function compareResults(inputs: readonly LoadedResult[], options: CompareOptions = {}): Comparison {
  if (inputs.length < 2) throw rtbError('RTB_ERR_USAGE', 'compare needs at least two result files: the baseline, then one or more to compare with it');
  const [baseline, ...candidates] = inputs;
  const metrics = options.metrics ?? DEFAULT_COMPARE_METRICS;
  const runs = candidates.map((candidate) => compareRun(baseline, candidate, metrics, options.failOn ?? []));
  return { scenario: baseline.result.scenario.name, baseline: refOf(baseline), runs, metrics };
}

function compareRun(baseline: LoadedResult, candidate: LoadedResult, metrics: readonly AnyMetricName[], failOn: readonly RelativeCheck[]): ComparedRun {
  const warnings = checkComparable(baseline, candidate);
  const a = groupPhases(baseline.result);
  const b = groupPhases(candidate.result);
  const pairs: PhasePair[] = [...a].filter(([key]) => b.has(key)).map(([key, phases]) => ({ key, transport: phases[0].transport, baseline: phases, candidate: b.get(key)! }));
  checkSelectors(
    failOn,
    pairs.map((p) => p.key),
    pairs.map((p) => p.transport),
    { source: '--fail-on', scope: `phases present in both ${baseline.file} and ${candidate.file}` },
  );
  return {
    candidate: refOf(candidate),
    warnings,
    phases: pairs.map((pair) => comparePhase(pair, metrics)),
    onlyInBaseline: [...a.keys()].filter((key) => !b.has(key)),
    onlyInCandidate: [...b.keys()].filter((key) => !a.has(key)),
    checks: evaluateFailOn(failOn, pairs),
  };
}

function comparePhase(pair: PhasePair, metrics: readonly AnyMetricName[]): PhaseComparison {
  return {
    key: pair.key,
    transport: pair.baseline[0].transport,
    baselineRuns: pair.baseline.length,
    candidateRuns: pair.candidate.length,
    incomplete: [...pair.baseline, ...pair.candidate].some((p: PhaseResult) => p.status !== 'complete'),
    metrics: metrics.map((metric) => compareMetric(metric, pair.baseline, pair.candidate)),
  };
}

function refOf({ file, result }: { file: string; result: RunResult }): ResultRef {
  return { file, startedAt: result.startedAt, status: result.status, repeats: repeatsOf(result) };
}
