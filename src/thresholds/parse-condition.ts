import type { MetricName } from '../metrics/catalog.js';
import { failFor, type Fail } from './invalid-expression.js';
import { parseMetricPath } from './metric-path.js';
import { splitExpression } from './split-expression.js';
import type { Comparator, ExpressionSource } from './types.js';

/** The part run thresholds and `--fail-on` checks share: `[<selector>.]<metric> <op>`, and the value still as text. */
export interface ParsedCondition {
  readonly expression: string;
  readonly selector: string;
  readonly metric: MetricName;
  readonly op: Comparator;
  readonly rhs: string;
  /** Throws RTB_ERR_THRESHOLD_INVALID naming this expression. */
  readonly fail: Fail;
}

export function parseCondition(text: string, source: ExpressionSource): ParsedCondition {
  const expression = text.trim();
  const fail = failFor(source, expression);
  const { lhs, op, rhs } = splitExpression(expression, fail);
  const { selector, metric } = parseMetricPath(lhs, fail);
  return { expression, selector, metric, op, rhs, fail };
}
