import { closest } from 'fastest-levenshtein';
import { TRANSPORTS } from '../protocol/transports.js';
import type { Fail } from './invalid-expression.js';

/**
 * Selectors: `*` matches every phase; a transport name every phase of that transport (all
 * variants and sweep values); `transport@variant` that variant at every sweep value; a full
 * phase key (`sse[clients=500]`, `polling@1s[rate=50]`) that phase only. Repeats of a phase
 * share its key, so a selector matches every repeat.
 */
const PHASE_KEY = /^([a-z-]+)(@[A-Za-z0-9._-]+)?(\[[A-Za-z]+=[^\]\s]+\])?$/;

/** What is wrong with `selector`, or undefined when it can name phases: `*`, a transport, or a phase key of a known transport. */
export function selectorProblem(selector: string): string | undefined {
  if (selector === '*') return undefined;
  const transport = transportOf(selector);
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    return `unknown selector "${selector}"; expected *, a transport (${TRANSPORTS.join(', ')}) or a phase key such as polling@1s or sse[clients=500]; nearest transport is "${closest(transport, [...TRANSPORTS])}"`;
  }
  if (!PHASE_KEY.test(selector)) return `"${selector}" is not a phase key; expected <transport>[@<variant>][[<param>=<value>]], e.g. polling@1s or sse[clients=500]`;
  return undefined;
}

export function validateSelector(selector: string, fail: Fail): void {
  const problem = selectorProblem(selector);
  if (problem !== undefined) fail(problem);
}

/** The transport a selector or phase key starts with: `polling@1s[clients=10]` → `polling`. */
function transportOf(keyOrSelector: string): string {
  return /^[^@[]*/.exec(keyOrSelector)![0];
}

/** The part of a phase key before its sweep value: `polling@1s[clients=10]` → `polling@1s`. */
function withoutSweep(key: string): string {
  const bracket = key.indexOf('[');
  return bracket < 0 ? key : key.slice(0, bracket);
}

export function selectorMatches(selector: string, phase: { readonly key: string; readonly transport: string }): boolean {
  return selector === '*' || selector === phase.transport || selector === phase.key || selector === withoutSweep(phase.key);
}

/** True when the selector matches one of these phase keys (or transports). */
export function selectorMatchesAny(selector: string, phaseKeys: readonly string[], transports: readonly string[]): boolean {
  if (selector === '*' || transports.includes(selector)) return true;
  return phaseKeys.some((key) => selectorMatches(selector, { key, transport: transportOf(key) }));
}
