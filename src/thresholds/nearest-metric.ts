import { closest } from 'fastest-levenshtein';
import { METRIC_NAMES } from '../metrics/catalog.js';

/** "unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)": the shared wording for a metric name not in the catalogue. */
export function unknownMetric(name: string): string {
  return `unknown metric "${name}"; nearest is "${closest(name, METRIC_NAMES)}" (rtbench metrics lists them all)`;
}
