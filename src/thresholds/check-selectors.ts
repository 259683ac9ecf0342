import { invalidExpression } from './invalid-expression.js';
import { selectorMatchesAny } from './selector.js';
import type { ExpressionSource } from './types.js';

/**
 * Throws RTB_ERR_THRESHOLD_INVALID when a selector other than `*` matches none of the
 * phases: a threshold that could never be checked is an error, never a silent pass.
 * Call it with the planned phases before a run (`run`), or with the phases present in both
 * files (`compare`); `scope` names them in the message.
 */
export function checkSelectors(
  thresholds: readonly { readonly expression: string; readonly selector: string }[],
  phaseKeys: readonly string[],
  transports: readonly string[],
  options: { source?: ExpressionSource; scope?: string } = {},
): void {
  const keys = [...new Set(phaseKeys)];
  for (const t of thresholds) {
    if (selectorMatchesAny(t.selector, keys, transports)) continue;
    throw invalidExpression(
      options.source ?? 'threshold',
      t.expression,
      `selector "${t.selector}" matches none of the ${options.scope ?? 'planned phases'} (${keys.length > 0 ? keys.join(', ') : 'none'})`,
    );
  }
}
