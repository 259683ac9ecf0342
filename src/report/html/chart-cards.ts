import type { ChartSlot, ChartSpec } from './chart-spec.js';
import { escapeHtml } from './html-escape.js';

/** A chart's card: title, the canvas the page script draws on (same id as the spec), caption. A figure nobody measured gets a card saying so. */
export function renderChartCard(slot: ChartSlot, size: 'tall' | 'normal' = 'normal'): string {
  if (slot.kind === 'missing') {
    return `<figure class="card chart missing"><figcaption><h3>${escapeHtml(slot.title)}</h3></figcaption><p class="muted">${escapeHtml(slot.reason)}</p></figure>`;
  }
  return `<figure class="card chart">
<figcaption><h3>${escapeHtml(slot.title)}</h3></figcaption>
<div class="plot ${size}"${heightStyle(slot)}><canvas id="${escapeHtml(slot.id)}" role="img" aria-label="${escapeHtml(slot.title)}"></canvas></div>
<p class="caption">${escapeHtml(slot.caption)}</p>
</figure>`;
}

/**
 * Room for what grows with the data: a legend at the right needs a line per dataset, and
 * horizontal bars a row per phase. Undefined keeps the stylesheet's height.
 */
function heightStyle(slot: ChartSpec): string {
  let px: number | undefined;
  if (slot.kind === 'line' && slot.legend === 'right') px = 48 + 17 * slot.datasets.length;
  if (slot.kind === 'bar' && slot.orientation === 'horizontal') px = 70 + 24 * slot.labels.length;
  return px === undefined ? '' : ` style="min-height:${px}px"`;
}
