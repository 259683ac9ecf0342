import { invalidExpression, transportOf, type ExpressionSource } from './grammar.js';

/** The part of a phase key before its sweep value: `polling@1s[clients=10]` → `polling@1s`. */
function withoutSweep(key: string): string {
  const bracket = key.indexOf('[');
  return bracket < 0 ? key : key.slice(0, bracket);
}

/** True when a (valid, see grammar.ts) selector names this phase: `*`, its transport, its key, or its key without the sweep value. */
export function selectorMatches(selector: string, phase: { readonly key: string; readonly transport: string }): boolean {
  return selector === '*' || selector === phase.transport || selector === phase.key || selector === withoutSweep(phase.key);
}

/** True when the selector matches one of these phase keys (or transports). */
export function selectorMatchesAny(selector: string, phaseKeys: readonly string[], transports: readonly string[]): boolean {
  if (selector === '*' || transports.includes(selector)) return true;
  return phaseKeys.some((key) => selectorMatches(selector, { key, transport: transportOf(key) }));
}

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
