import type { Comparison } from './types.js';

/** Identifies the JSON `compare --format json` prints; bumped when its shape changes incompatibly. */
export const COMPARE_SCHEMA = 'rtbench.compare/1';

/** The comparison for machines: the Comparison model (types.ts) under a schema tag. */
export function renderComparisonJson(comparison: Comparison): string {
  return `${JSON.stringify({ schema: COMPARE_SCHEMA, ...comparison }, null, 1)}\n`;
}
