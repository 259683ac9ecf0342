import type { Comparator } from './types.js';
import type { Fail } from './invalid-expression.js';

export interface ExpressionParts {
  /** `<selector>.<metric>`, trimmed. */
  readonly lhs: string;
  readonly op: Comparator;
  /** The value as written, trimmed. */
  readonly rhs: string;
}

const OPERATOR_CHARS = '<>=!';
const OPERATORS = '< <= > >= == !=';

/**
 * Splits `<lhs> <op> <rhs>` at its one comparison operator. Hand-scanned rather than split by
 * a regular expression because a phase key may itself hold `=` inside brackets
 * (`sse[clients=500]`), which is not an operator.
 */
export function splitExpression(expression: string, fail: Fail): ExpressionParts {
  if (expression === '') fail(`is empty; expected <selector>.<metric> <op> <value>, e.g. sse.latency.p99 < 50ms`);
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (depth > 0 || !OPERATOR_CHARS.includes(c)) continue;
    const op = operatorAt(expression, i, fail);
    const lhs = expression.slice(0, i).trim();
    const rhs = expression.slice(i + op.length).trim();
    if (lhs === '') fail(`nothing before "${op}"; expected <selector>.<metric>, e.g. sse.latency.p99`);
    if (rhs === '') fail(`no value after "${op}"`);
    if ([...OPERATOR_CHARS].some((o) => rhs.includes(o))) fail('has more than one comparison operator; write one condition per expression');
    return { lhs, op, rhs };
  }
  return fail(`has no comparison operator; expected <selector>.<metric> <op> <value> with <op> one of ${OPERATORS}`);
}

/** The operator starting at `i` (an operator character): two characters when the second is `=`. */
function operatorAt(expression: string, i: number, fail: Fail): Comparator {
  const [c, next] = [expression[i], expression[i + 1]];
  if (next === '=') return `${c}=` as Comparator;
  if (c === '<' || c === '>') return c;
  if (c === '=' && (next === '>' || next === '<')) return fail(`"=${next}" is not an operator; write ${next}=`);
  return fail(`"${c}" is not an operator; use one of ${OPERATORS}`);
}
