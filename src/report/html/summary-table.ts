import type { MetricName } from '../../metrics/catalog.js';
import { formatMetric } from '../../metrics/metric-text.js';
import { escapeHtml } from './html-escape.js';
import type { ReportPhase } from './report-phases.js';

const COLUMNS: readonly { readonly metric: MetricName; readonly head: string; readonly title: string }[] = [
  { metric: 'delivered_ratio', head: 'delivered', title: 'delivered / expected' },
  { metric: 'latency.p50', head: 'p50', title: 'median delivery latency' },
  { metric: 'latency.p99', head: 'p99', title: '99th percentile delivery latency' },
  { metric: 'latency.max', head: 'max', title: 'largest delivery latency' },
  { metric: 'requests_per_event', head: 'req/event', title: 'subscriber requests per delivered event' },
  { metric: 'bytes_per_event', head: 'bytes/event', title: 'bytes down per delivered event' },
  { metric: 'server.cpu_percent', head: 'server CPU', title: 'server CPU, percent of one core' },
  { metric: 'server.cpu_us_per_event', head: 'CPU/event', title: 'server CPU time per delivered event' },
  { metric: 'server.memory_per_connection', head: 'mem/conn', title: 'server memory per connection' },
];

/** The figures that decide between transports, one row per phase, at the top of the report. */
export function renderSummaryTable(phases: readonly ReportPhase[]): string {
  const several = new Set(phases.map((rp) => rp.fileIndex)).size > 1;
  const head = [several ? '<th>file</th>' : '', '<th>phase</th>', ...COLUMNS.map((c) => `<th class="n" title="${escapeHtml(c.title)}">${escapeHtml(c.head)}</th>`)].join('');
  const rows = phases.map((rp) => {
    const { phase } = rp;
    const flags = [
      phase.status !== 'complete' ? `<span class="badge bad">${escapeHtml(phase.status)}</span>` : '',
      phase.generatorSaturated ? '<span class="badge bad" title="the load generator saturated: latency is inflated">generator saturated</span>' : '',
      phase.warnings.length > 0 && !phase.generatorSaturated ? `<span class="badge warn" title="see Warnings">${phase.warnings.length === 1 ? 'warning' : 'warnings'}</span>` : '',
    ].join('');
    const name = several ? rp.label.slice(rp.fileLabel.length + 3) : rp.label;
    const cells = COLUMNS.map((c) => {
      const value = phase.metrics[c.metric] ?? null;
      const short = c.metric === 'delivered_ratio' && value !== null && value < 1;
      return `<td class="n${short ? ' bad-text' : ''}">${escapeHtml(formatMetric(c.metric, value))}</td>`;
    }).join('');
    return `<tr>${several ? `<td>${escapeHtml(rp.fileLabel)}</td>` : ''}<td><span class="swatch" style="background:${rp.style.color}"></span>${escapeHtml(name)}${flags}</td>${cells}</tr>`;
  });
  return `<div class="table-wrap"><table class="summary"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}
