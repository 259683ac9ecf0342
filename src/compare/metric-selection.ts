import { rtbError } from '../errors.js';
import { isMetricName } from '../metrics/catalog.js';
import { readLatencyPercentile, type AnyMetricName } from '../metrics/latency-percentile.js';
import { unknownMetric } from '../thresholds/grammar.js';

/**
 * `--metrics latency.p50,latency.p95,lost` → metric names (catalogue names, or any latency
 * percentile), in the order given. Throws RTB_ERR_USAGE naming an unknown or malformed one.
 */
export function parseMetricSelection(text: string): AnyMetricName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw rtbError('RTB_ERR_USAGE', '--metrics needs at least one metric name, e.g. --metrics latency.p99,lost');
  return [...new Set(names.map(metricNamed))];
}

function metricNamed(name: string): AnyMetricName {
  if (isMetricName(name)) return name;
  const percentile = readLatencyPercentile(name);
  if (percentile === undefined) throw rtbError('RTB_ERR_USAGE', `--metrics: ${unknownMetric(name)}`);
  if ('problem' in percentile) throw rtbError('RTB_ERR_USAGE', `--metrics: ${percentile.problem}`);
  return percentile.metric;
}
