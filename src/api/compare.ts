import { compareResults } from '../compare/compare-results.js';
import { parseMetricSelection } from '../compare/metric-selection.js';
import type { Comparison } from '../compare/types.js';
import type { RunResult } from '../result/types.js';
import { parseRelativeChecks } from '../thresholds/grammar.js';

export interface CompareOptions {
  /** A name per result, in order, for messages and `Comparison` refs; default "run 1", "run 2", … */
  readonly labels?: readonly string[];
  /** Metric names to compare (`rtbench metrics`); default: latency, delivery and per-event costs. */
  readonly metrics?: readonly string[];
  /** Regressions as `--fail-on` states them: '*.lost > +0', 'latency.p99 > +10%'; outcomes land in each run's `checks`. */
  readonly failOn?: readonly string[];
}

/**
 * `rtbench compare` without the printing: the first result is the baseline, each other one
 * is compared with it phase by phase, latency judged against noise. Throws an RtbError for a
 * bad metric name or check (RTB_ERR_USAGE / RTB_ERR_THRESHOLD_INVALID) and for results of
 * different scenarios (RTB_ERR_RESULT_MISMATCH).
 */
export function compare(results: readonly RunResult[], options: CompareOptions = {}): Comparison {
  const metrics = options.metrics === undefined ? undefined : parseMetricSelection(options.metrics.join(','));
  const failOn = parseRelativeChecks(options.failOn ?? []);
  const inputs = results.map((result, i) => ({ file: options.labels?.[i] ?? `run ${i + 1}`, result }));
  return compareResults(inputs, { ...(metrics ? { metrics } : {}), failOn });
}
