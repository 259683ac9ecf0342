import type { RunResult } from '../../result/types.js';
import { escapeHtml } from './html-escape.js';
import type { ReportPhase } from './report-phases.js';

/**
 * The banners at the top of the report, for what makes its figures less trustworthy: a
 * saturated load generator (latency inflated by rtbench itself), a partial run, failed phases.
 */
export function renderBanners(results: readonly RunResult[], phases: readonly ReportPhase[], fileLabels: readonly string[]): string {
  const banners: string[] = [];
  const saturated = phases.filter((rp) => rp.phase.generatorSaturated);
  if (saturated.length > 0) {
    banners.push(
      `<div class="banner danger" role="alert" id="generator-saturated"><strong>The load generator saturated</strong> during ${list(saturated.map((rp) => rp.label))}. ` +
        'Latency measured there is inflated by rtbench itself, not by the server: treat those figures as upper bounds, and rerun with more <code>--workers</code>, fewer clients, or on a bigger machine.</div>',
    );
  }
  results.forEach((result, i) => {
    if (result.status !== 'partial') return;
    const which = results.length > 1 ? `${fileLabels[i]} is` : 'This run is';
    banners.push(`<div class="banner warn" role="alert"><strong>${escapeHtml(which)} partial</strong>${result.interruption ? `: ${escapeHtml(result.interruption.message)}` : ''}. Phases hold what was measured before it stopped.</div>`);
  });
  const failed = phases.filter((rp) => rp.phase.status === 'failed');
  if (failed.length > 0) {
    banners.push(`<div class="banner warn" role="alert"><strong>Failed phases:</strong> ${failed.map((rp) => `${escapeHtml(rp.label)}${rp.phase.error ? ` (${escapeHtml(rp.phase.error)})` : ''}`).join('; ')}.</div>`);
  }
  return banners.join('\n');
}

/** Every phase's plain-words warnings, grouped by phase; a short line when there are none. */
export function renderWarnings(phases: readonly ReportPhase[]): string {
  const warned = phases.filter((rp) => rp.phase.warnings.length > 0);
  if (warned.length === 0) return '<p class="muted">No phase reported a warning.</p>';
  const items = warned.map(
    (rp) =>
      `<li><span class="swatch" style="background:${rp.style.color}"></span><strong>${escapeHtml(rp.label)}</strong><ul>${rp.phase.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></li>`,
  );
  return `<ul class="warnings">${items.join('')}</ul>`;
}

function list(labels: readonly string[]): string {
  return labels.map((l) => `<strong>${escapeHtml(l)}</strong>`).join(', ');
}
