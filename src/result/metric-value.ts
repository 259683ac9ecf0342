import { isMetricName } from '../metrics/catalog.js';
import { decodeHistogram } from '../metrics/histogram.js';
import { latencyPercentileOf, type AnyMetricName } from '../metrics/latency-percentile.js';
import type { PhaseResult } from './types.js';

/**
 * A phase's value of any metric an expression can name: a catalogue metric as stored, a
 * latency percentile outside the catalogue read from the phase's latency histogram. Null
 * when it was not measured (an empty histogram has no percentiles).
 */
export function phaseMetricValue(phase: Pick<PhaseResult, 'metrics' | 'histograms'>, metric: AnyMetricName): number | null {
  if (isMetricName(metric)) return phase.metrics[metric] ?? null;
  const percentile = latencyPercentileOf(metric);
  if (percentile === undefined) throw new Error(`not a metric: ${metric}`);
  const encoded = phase.histograms.latency;
  if (!encoded) return null;
  const histogram = decodeHistogram(encoded);
  return histogram.totalCount === 0 ? null : histogram.getValueAtPercentile(percentile);
}
