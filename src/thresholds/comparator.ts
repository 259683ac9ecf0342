import type { Comparator } from './types.js';

/**
 * `actual <op> limit`, with equality judged to 1e-9 relative so that a measured 0.999
 * equals a written 99.9 % whatever the floating-point path to either.
 */
export function holds(actual: number, op: Comparator, limit: number): boolean {
  const equal = actual === limit || (Number.isFinite(actual) && Number.isFinite(limit) && Math.abs(actual - limit) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(limit)));
  switch (op) {
    case '<':
      return actual < limit && !equal;
    case '<=':
      return actual < limit || equal;
    case '>':
      return actual > limit && !equal;
    case '>=':
      return actual > limit || equal;
    case '==':
      return equal;
    case '!=':
      return !equal;
  }
}
