import { rtbError, type RtbError } from '../errors.js';
import type { ExpressionSource } from './types.js';

/** Reports what is wrong with one expression; every parse step throws through it. */
export type Fail = (what: string) => never;

/** The one error of the grammar: `threshold "<expression>": <what is wrong>` (RTB_ERR_THRESHOLD_INVALID, exit 2). */
export function invalidExpression(source: ExpressionSource, expression: string, what: string): RtbError {
  return rtbError('RTB_ERR_THRESHOLD_INVALID', `${source} "${expression}": ${what}`);
}

export function failFor(source: ExpressionSource, expression: string): Fail {
  return (what) => {
    throw invalidExpression(source, expression, what);
  };
}
