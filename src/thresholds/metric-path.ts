import { isMetricName, METRIC_NAMES, type MetricName } from '../metrics/catalog.js';
import type { Fail } from './invalid-expression.js';
import { unknownMetric } from './nearest-metric.js';
import { selectorProblem, validateSelector } from './selector.js';

/** Catalogue names, longest first: the metric is the longest name the left-hand side ends with. */
const BY_LENGTH = [...METRIC_NAMES].sort((a, b) => b.length - a.length);

/**
 * `<selector>.<metric>` → its two parts. Metric names contain dots (`latency.p99`,
 * `server.cpu_us_per_event`) and sweep labels in a selector may too (`ws[rate=0.5]`), so the
 * metric is found as the longest catalogue name the text ends with, and the selector is
 * what comes before it. No selector means `*`.
 */
export function parseMetricPath(lhs: string, fail: Fail): { selector: string; metric: MetricName } {
  if (/\s/.test(lhs)) fail(`"${lhs}" contains a space; write <selector>.<metric> without spaces, e.g. sse.latency.p99`);
  for (const name of BY_LENGTH) {
    if (lhs === name) return { selector: '*', metric: name };
    if (lhs.endsWith(`.${name}`)) {
      const selector = lhs.slice(0, -(name.length + 1));
      validateSelector(selector, fail);
      return { selector, metric: name };
    }
  }
  // No catalogue name: say which part is the unknown metric, and the nearest real one.
  const selectorEnd = firstDotOutsideBrackets(lhs);
  const head = selectorEnd < 0 ? lhs : lhs.slice(0, selectorEnd);
  if (selectorProblem(head) === undefined) {
    const metric = selectorEnd < 0 ? '' : lhs.slice(selectorEnd + 1);
    if (metric === '') fail(`"${lhs}" names phases but no metric; write ${head}.<metric>, e.g. ${head}.latency.p99`);
    if (!isMetricName(metric)) fail(unknownMetric(metric));
  }
  return fail(unknownMetric(lhs));
}

function firstDotOutsideBrackets(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth = Math.max(0, depth - 1);
    else if (text[i] === '.' && depth === 0) return i;
  }
  return -1;
}

