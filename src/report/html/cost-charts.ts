import { METRICS, type MetricName } from '../../metrics/catalog.js';
import { formatMetric } from '../../metrics/metric-text.js';
import type { ChartSlot } from './chart-spec.js';
import { FORMAT_OF_UNIT } from './metric-format.js';
import { FEW_CLIENTS_FOOTNOTE, MEMORY_PER_CONNECTION_MIN_CLIENTS } from '../result-cells.js';
import type { ReportPhase } from './report-phases.js';

interface CostBar {
  readonly metric: MetricName;
  readonly title: string;
  readonly axis: string;
  readonly caption: string;
}

/** The four costs the transports are chosen by, each a bar per phase. */
const COST_BARS: readonly CostBar[] = [
  { metric: 'requests_per_event', title: 'Requests per delivered event', axis: 'requests / event', caption: 'HTTP requests subscribers made per event received. Push transports pay once per connection; polling pays per interval.' },
  { metric: 'bytes_per_event', title: 'Bytes per delivered event', axis: 'bytes / event', caption: 'Bytes read by subscriber sockets per event received, headers and framing included.' },
  { metric: 'server.cpu_us_per_event', title: 'Server CPU per delivered event', axis: 'CPU time / event', caption: 'Server CPU time (user + system) in the window divided by events delivered.' },
  { metric: 'server.memory_per_connection', title: 'Server memory per connection', axis: 'bytes / connection', caption: '(Peak RSS − RSS before clients) / connected clients.' },
];

/** Beyond this many bars, or labels this long, bars are drawn horizontally. */
const MAX_VERTICAL_BARS = 6;
const MAX_VERTICAL_LABEL = 16;

/** Bar charts of requests, bytes, server CPU and memory per event or connection, one bar per phase. */
export function costCharts(phases: readonly ReportPhase[]): ChartSlot[] {
  const orientation = phases.length > MAX_VERTICAL_BARS || phases.some((rp) => rp.label.length > MAX_VERTICAL_LABEL) ? 'horizontal' : 'vertical';
  return COST_BARS.map((bar, i) => {
    const values = phases.map((rp) => rp.phase.metrics[bar.metric] ?? null);
    if (values.every((v) => v === null)) return { kind: 'missing', title: bar.title, reason: notMeasured(bar.metric, phases) };
    // The table's caveat, on the chart too: with few clients the figure is mostly warm-up.
    const fewClients = bar.metric === 'server.memory_per_connection' && phases.some((rp) => rp.phase.params.clients < MEMORY_PER_CONNECTION_MIN_CLIENTS);
    return {
      id: `chart-cost-${i}`,
      kind: 'bar',
      title: bar.title,
      caption: fewClients ? `${bar.caption} Careful: ${FEW_CLIENTS_FOOTNOTE.replace(/^mem\/conn is \(peak − starting RSS\) \/ clients: /, '')}.` : bar.caption,
      labels: phases.map((rp) => rp.label),
      values,
      colors: phases.map((rp) => rp.style.color),
      fills: phases.map((rp) => rp.style.fill),
      tips: phases.map((rp, j) => `${rp.label}: ${formatMetric(bar.metric, values[j])}`),
      value: { scale: 'linear', title: bar.axis, format: FORMAT_OF_UNIT[METRICS[bar.metric].unit] },
      orientation,
    };
  });
}

/** Why a figure is missing from every phase. */
export function notMeasured(metric: MetricName, phases: readonly ReportPhase[]): string {
  if (!metric.startsWith('server.')) return 'not measured in any phase';
  // serverLoadSource is absent from results written before it existed.
  return phases.every((rp) => rp.phase.serverLoadSource === 'none')
    ? 'not measured: the target reported no server load (no /metrics, and no --server-pid)'
    : 'not measured in any phase';
}
