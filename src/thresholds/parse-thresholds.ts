import { parseLimitValue } from './limit-value.js';
import { parseCondition } from './parse-condition.js';
import type { Threshold } from './types.js';

/**
 * Run thresholds (`--threshold`, a scenario's `thresholds:`) → checked, typed thresholds.
 * Throws RTB_ERR_THRESHOLD_INVALID on the first bad expression, naming it and what is wrong:
 * nothing runs with a threshold that could not be evaluated. Grammar: docs/thresholds.md.
 */
export function parseThresholds(expressions: readonly string[]): Threshold[] {
  return expressions.map(parseThreshold);
}

export function parseThreshold(text: string): Threshold {
  const { expression, selector, metric, op, rhs, fail } = parseCondition(text, 'threshold');
  if (rhs.startsWith('+') || rhs.startsWith('-')) {
    fail(`"${rhs}" is a change; changes from a baseline are for compare --fail-on. A run threshold needs an absolute value such as 50ms`);
  }
  return { expression, selector, metric, op, limit: parseLimitValue(rhs, metric, fail), limitText: rhs };
}
