import Table from 'cli-table3';
import { repeatsOf } from '../result/phase-label.js';
import type { RunResult } from '../result/types.js';
import { RESULT_HEAD, RESULT_NUMERIC_COLUMNS, resultFootnotes, resultRow } from './result-cells.js';

/**
 * The end-of-run table: one row per phase, the figures that decide between transports
 * (result-cells.ts, shared with the Markdown rendering). A pure function of the result.
 * cli-table3 colours its borders and headers by default — even into a pipe — so styles are
 * empty unless `color` is asked for.
 */
export function renderResultTable(result: RunResult, options: { color?: boolean } = {}): string {
  const repeats = repeatsOf(result);
  const table = new Table({
    head: [...RESULT_HEAD],
    style: options.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    colAligns: RESULT_HEAD.map((_, i) => (RESULT_NUMERIC_COLUMNS.has(i) ? 'right' : 'left')),
  });
  for (const phase of result.phases) table.push(resultRow(phase, repeats));
  return `${table.toString()}\n${resultFootnotes(result.phases)
    .map((note) => `  ${note}\n`)
    .join('')}`;
}
