import { parseLimitValue, roundDecimal } from './limit-value.js';
import { parseCondition } from './parse-condition.js';
import type { RelativeCheck } from './types.js';

/**
 * `compare --fail-on` expressions → relative checks. Same left side and operators as run
 * thresholds, but the value is a signed change from the baseline, and the expression states
 * when to FAIL: `latency.p99 > +10%` fails when p99 grew by more than 10 %.
 * - `+10%`, `-5%`: relative change, (candidate − baseline) / baseline;
 * - `+2ms`, `+0`, `-0.001`: absolute change in the metric's unit (units as for thresholds).
 * Throws RTB_ERR_THRESHOLD_INVALID on the first bad expression.
 */
export function parseRelativeChecks(expressions: readonly string[]): RelativeCheck[] {
  return expressions.map(parseRelativeCheck);
}

export function parseRelativeCheck(text: string): RelativeCheck {
  const { expression, selector, metric, op, rhs, fail } = parseCondition(text, '--fail-on');
  const sign = rhs[0] === '+' ? 1 : rhs[0] === '-' ? -1 : 0;
  if (sign === 0) fail(`"${rhs}" has no sign; --fail-on states a change from the baseline, e.g. +10%, +2ms or +0`);
  const magnitude = rhs.slice(1).trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(magnitude);
  const change = percent
    ? { kind: 'relative' as const, value: roundDecimal((sign * Number(percent[1])) / 100) }
    : { kind: 'absolute' as const, value: sign * parseLimitValue(magnitude, metric, fail) };
  return { expression, selector, metric, op, change, changeText: rhs };
}
