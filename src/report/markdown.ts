import { formatDurationUs } from '../format.js';
import { repeatsOf } from '../result/phase-label.js';
import type { RunResult } from '../result/types.js';
import { mdCode, mdTable, mdText } from './markdown-text.js';
import { RESULT_HEAD, RESULT_NUMERIC_COLUMNS, resultFootnotes, resultRow } from './result-cells.js';
import { renderVerdict, warningsOf } from './verdict.js';

/**
 * One run result as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or a pull-request
 * comment: the figures of the terminal table, the verdict sentences, warnings and threshold
 * outcomes. A pure function of the result.
 */
export function renderResultMarkdown(result: RunResult): string {
  const repeats = repeatsOf(result);
  const first = result.phases[0]?.params;
  const setup = first
    ? ` · ${first.clients} clients · ${first.pattern} · ${first.rate} events/s · ${formatDurationUs(first.durationUs)} window${repeats > 1 ? ` · ${repeats} repeats` : ''}`
    : '';
  const parts = [`### rtbench · ${result.scenario.name}${setup}`];
  if (result.status === 'partial') parts.push(`> **Partial result:** ${mdText(result.interruption?.message ?? 'the run was interrupted')}; the phases hold what was measured.`);
  if (result.phases.length === 0) {
    parts.push('No phase was measured.');
  } else {
    parts.push(mdTable(RESULT_HEAD, result.phases.map((p) => resultRow(p, repeats)), RESULT_NUMERIC_COLUMNS));
    for (const note of resultFootnotes(result.phases)) parts.push(mdText(note));
    parts.push(mdText(renderVerdict(result).trim()).replace(/\n/g, '\n\n'));
  }
  const warnings = warningsOf(result);
  if (warnings.length > 0) parts.push(`**Warnings**\n\n${warnings.map((w) => `- ${mdText(w)}`).join('\n')}`);
  if (result.thresholds !== undefined && result.thresholds.length > 0) {
    const failed = result.thresholds.filter((t) => !t.ok).length;
    parts.push(
      `**Thresholds**: ${failed === 0 ? 'all passed' : `${failed} of ${result.thresholds.length} failed`}\n\n${result.thresholds.map((t) => `- ${t.ok ? '✅' : '❌'} ${mdCode(t.expression)} ${mdText(t.message)}`).join('\n')}`,
    );
  }
  parts.push(`<sub>rtbench ${mdText(result.tool.version)} · ${mdText(result.environment.cpuModel)} × ${result.environment.cpus} · Node.js ${mdText(result.environment.node)} · started ${mdText(result.startedAt)}</sub>`);
  return `${parts.join('\n\n')}\n`;
}

