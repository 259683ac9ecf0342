import { rtbError } from '../errors.js';
import { isMetricName, type MetricName } from '../metrics/catalog.js';
import { unknownMetric } from '../thresholds/nearest-metric.js';

/** `--metrics latency.p50,lost` → catalogue names, in the order given. Throws RTB_ERR_USAGE naming an unknown one. */
export function parseMetricSelection(text: string): MetricName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw rtbError('RTB_ERR_USAGE', '--metrics needs at least one metric name, e.g. --metrics latency.p99,lost');
  for (const name of names) if (!isMetricName(name)) throw rtbError('RTB_ERR_USAGE', `--metrics: ${unknownMetric(name)}`);
  return [...new Set(names as MetricName[])];
}
