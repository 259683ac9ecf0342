import Table from 'cli-table3';
import { comparisonRows, COMPARISON_HEAD, describeRef, noiseMethods, NUMERIC_COLUMNS, summariseVerdicts } from './comparison-rows.js';
import { noiseMethodNotes } from './noise-text.js';
import type { ComparedRun, Comparison } from './types.js';

/**
 * The comparison for a terminal: per candidate, a header naming both files, one table row
 * per phase × metric, what was only on one side, warnings and `--fail-on` outcomes; then how
 * noise was judged. A pure function; styles stay empty unless `color` (a TTY) is asked for.
 */
export function renderComparisonTable(comparison: Comparison, options: { color?: boolean } = {}): string {
  const sections = comparison.runs.map((run) => renderRun(comparison, run, options.color === true));
  const notes = noiseMethodNotes(noiseMethods(comparison));
  return `${sections.join('\n')}\nNoise:\n${notes.map((n) => `  ${n}\n`).join('')}`;
}

function renderRun(comparison: Comparison, run: ComparedRun, color: boolean): string {
  const lines = [`rtbench compare · scenario ${comparison.scenario}`, `  baseline:  ${describeRef(comparison.baseline)}`, `  candidate: ${describeRef(run.candidate)}`, ''];
  if (run.phases.length > 0) {
    const table = new Table({
      head: [...COMPARISON_HEAD],
      style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
      colAligns: COMPARISON_HEAD.map((_, i) => (NUMERIC_COLUMNS.has(i) ? 'right' : 'left')),
      // No rule between rows: a phase's rows read as one block, its name on the first.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const row of comparisonRows(run)) table.push([...row.cells]);
    lines.push(table.toString(), summariseVerdicts(run));
  } else {
    lines.push('No phase is present in both files.');
  }
  if (run.onlyInBaseline.length > 0) lines.push(`Only in the baseline: ${run.onlyInBaseline.join(', ')}`);
  if (run.onlyInCandidate.length > 0) lines.push(`Only in the candidate: ${run.onlyInCandidate.join(', ')}`);
  if (run.warnings.length > 0) lines.push('Warnings:', ...run.warnings.map((w) => `  - ${w}`));
  if (run.checks.length > 0) {
    lines.push('Checks (--fail-on):', ...run.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.expression}  ${c.message}`));
  }
  return `${lines.join('\n')}\n`;
}
