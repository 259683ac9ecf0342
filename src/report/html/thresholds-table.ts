import { formatRatio } from '../../format.js';
import { isMetricName } from '../../metrics/catalog.js';
import { formatMetric } from '../../metrics/metric-text.js';
import type { RunResult } from '../../result/types.js';
import { escapeHtml } from './html-escape.js';

/** The threshold outcomes of the results that evaluated thresholds; empty string when none did. */
export function renderThresholds(results: readonly RunResult[], fileLabels: readonly string[]): string {
  const several = results.length > 1;
  const rows = results.flatMap((result, i) =>
    (result.thresholds ?? []).map((t) => {
      const actual = isMetricName(t.metric) ? formatMetric(t.metric, t.actual) : formatRatio(t.actual);
      return `<tr class="${t.ok ? 'ok' : 'failed'}">${several ? `<td>${escapeHtml(fileLabels[i])}</td>` : ''}<td>${t.ok ? '✓ pass' : '✗ fail'}</td><td><code>${escapeHtml(t.expression)}</code></td><td>${escapeHtml(t.phase)}</td><td class="n">${escapeHtml(actual)}</td><td>${escapeHtml(t.message)}</td></tr>`;
    }),
  );
  if (rows.length === 0) return '';
  return `<div class="table-wrap"><table class="thresholds"><thead><tr>${several ? '<th>file</th>' : ''}<th></th><th>threshold</th><th>phase</th><th class="n">actual</th><th>message</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
