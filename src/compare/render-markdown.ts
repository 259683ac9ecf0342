import { mdCode, mdTable, mdText } from '../report/markdown-text.js';
import { comparisonRows, COMPARISON_HEAD, noiseMethods, NUMERIC_COLUMNS, refDetail, summariseVerdicts } from './comparison-rows.js';
import { noiseMethodNotes } from './noise-text.js';
import type { ComparedRun, Comparison, ResultRef, Verdict } from './types.js';

const MARK: Partial<Record<Verdict, string>> = { improved: '🟢 improved', regressed: '🔴 **regressed**' };

/**
 * The comparison as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or a pull-request
 * comment: the same figures as the terminal table, regressions in bold, checks as a list.
 */
export function renderComparisonMarkdown(comparison: Comparison): string {
  const sections = comparison.runs.map((run) => renderRun(comparison, run));
  const notes = noiseMethodNotes(noiseMethods(comparison));
  return `${sections.join('\n')}\n<details><summary>How noise is judged</summary>\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n</details>\n`;
}

function renderRun(comparison: Comparison, run: ComparedRun): string {
  const parts = [
    `### rtbench compare · ${comparison.scenario}`,
    `Baseline ${ref(comparison.baseline)}, candidate ${ref(run.candidate)}.`,
  ];
  if (run.phases.length > 0) {
    const rows = comparisonRows(run).map((row) => row.cells.map((cell, i) => (i === 6 ? (MARK[row.verdict] ?? cell) : cell)));
    parts.push(mdTable(COMPARISON_HEAD, rows, NUMERIC_COLUMNS), `${summariseVerdicts(run)}.`);
  } else {
    parts.push('No phase is present in both files.');
  }
  const only = [
    run.onlyInBaseline.length > 0 ? `Only in the baseline: ${run.onlyInBaseline.map(mdCode).join(', ')}.` : '',
    run.onlyInCandidate.length > 0 ? `Only in the candidate: ${run.onlyInCandidate.map(mdCode).join(', ')}.` : '',
  ].filter((s) => s !== '');
  if (only.length > 0) parts.push(only.join(' '));
  if (run.warnings.length > 0) parts.push(run.warnings.map((w) => `> **Warning:** ${mdText(w)}`).join('\n>\n'));
  if (run.checks.length > 0) {
    const failed = run.checks.filter((c) => !c.ok).length;
    parts.push(
      `**Checks** (${mdCode('--fail-on')}): ${failed === 0 ? 'all passed' : `${failed} of ${run.checks.length} failed`}\n\n${run.checks.map((c) => `- ${c.ok ? '✅' : '❌'} ${mdCode(c.expression)} ${mdText(c.message)}`).join('\n')}`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

function ref(r: ResultRef): string {
  return `${mdCode(r.file)} ${mdText(refDetail(r))}`;
}
