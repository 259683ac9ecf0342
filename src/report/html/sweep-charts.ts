import { METRICS, type MetricName } from '../../metrics/catalog.js';
import { formatMetric } from '../../metrics/metric-text.js';
import type { SweepParam } from '../../result/types.js';
import type { AxisSpec, ChartSlot, LineDataset, ValueFormat } from './chart-spec.js';
import { notMeasured } from './cost-charts.js';
import { FORMAT_OF_UNIT, formatValue } from './metric-format.js';
import type { ReportPhase } from './report-phases.js';
import { sweepCurves } from './sweep-curves.js';
import { legendPlace, valueAxis } from './value-axis.js';

interface SweepAxis {
  readonly title: string;
  readonly format: ValueFormat;
  /** What each swept parameter is drawn against, most telling first. */
  readonly metrics: readonly { readonly metric: MetricName; readonly title: string; readonly axis: string }[];
}

/** How each figure a sweep can draw is titled and its y axis labelled — once per metric. */
const SWEEP_FIGURES = {
  'latency.p50': { title: 'Median staleness (latency p50)', axis: 'latency p50' },
  'latency.p99': { title: 'Latency p99', axis: 'latency p99' },
  requests_per_second: { title: 'Requests per second', axis: 'requests / s' },
  requests_per_event: { title: 'Requests per delivered event', axis: 'requests / event' },
  bytes_per_event: { title: 'Bytes per delivered event', axis: 'bytes / event' },
  'server.cpu_percent': { title: 'Server CPU', axis: '% of one core' },
  'server.cpu_us_per_event': { title: 'Server CPU per delivered event', axis: 'CPU time / event' },
  'server.memory_per_connection': { title: 'Server memory per connection', axis: 'bytes / connection' },
} as const satisfies Partial<Record<MetricName, { title: string; axis: string }>>;

function sweepAxis(title: string, format: SweepAxis['format'], metrics: readonly (keyof typeof SWEEP_FIGURES)[]): SweepAxis {
  return { title, format, metrics: metrics.map((metric) => ({ metric, ...SWEEP_FIGURES[metric] })) };
}

/**
 * What a sweep of each parameter is drawn against: the trade-off it exists to show first.
 * interval: staleness against request load; clients: server cost as connections grow;
 * rate: tail latency and per-event cost as the stream gets busier; payloadBytes: wire cost.
 */
const SWEEP_AXES: Readonly<Record<SweepParam, SweepAxis>> = {
  interval: sweepAxis('polling interval', 'durationUs', ['latency.p50', 'requests_per_second', 'latency.p99', 'server.cpu_percent']),
  clients: sweepAxis('clients', 'count', ['server.cpu_percent', 'server.memory_per_connection', 'latency.p99', 'server.cpu_us_per_event']),
  rate: sweepAxis('publish rate (events/s)', 'perSecond', ['latency.p99', 'server.cpu_us_per_event', 'requests_per_event', 'bytes_per_event']),
  payloadBytes: sweepAxis('payload size', 'bytes', ['bytes_per_event', 'latency.p99', 'server.cpu_us_per_event', 'server.cpu_percent']),
};

/** Sweep values spanning this factor or more go on a log x axis: intervals and client counts are usually chosen by doubling or tenfolds. */
const LOG_X_SPREAD = 4;

/**
 * The trade-off curves of one swept parameter: for each figure in SWEEP_AXES, a line per
 * transport with the sweep value on x (log scale when they span a factor of LOG_X_SPREAD),
 * and the phases that were not swept as flat dashed reference lines across the range.
 */
export function sweepCharts(phases: readonly ReportPhase[], param: SweepParam): ChartSlot[] {
  const axis = SWEEP_AXES[param];
  return axis.metrics.map(({ metric, title, axis: yTitle }, i) => {
    const { curves, references } = sweepCurves(phases, param, metric);
    const values = [...new Set(curves.flatMap((c) => c.points.map((p) => p.value)))].sort((a, b) => a - b);
    const ys = [...curves.flatMap((c) => c.points.map((p) => p.y)), ...references.map((r) => r.y)].filter((y): y is number => y !== null);
    const chartTitle = `${title} against ${axis.title}`;
    if (ys.length === 0 || values.length === 0) return { kind: 'missing', title: chartTitle, reason: notMeasured(metric, phases) };

    const tickLabel = (v: number): string => formatValue(axis.format, v);
    const [lo, hi] = [values[0], values.at(-1)!];
    const logX = lo > 0 && hi / lo >= LOG_X_SPREAD;
    const x: AxisSpec = {
      scale: logX ? 'logarithmic' : 'linear',
      title: `${axis.title}${logX ? ' (log scale)' : ''}`,
      format: axis.format,
      ticks: values.map((v) => ({ value: v, label: tickLabel(v) })),
      ...padded(lo, hi, logX),
    };
    const y = valueAxis(yTitle, FORMAT_OF_UNIT[METRICS[metric].unit], ys);

    const datasets: LineDataset[] = [
      ...curves.map((c) => ({
        label: c.label,
        color: c.style.color,
        dash: c.style.dash,
        pointRadius: 3,
        points: c.points.map((p) => ({ x: p.value, y: p.y, tip: `${c.label}: ${formatMetric(metric, p.y)} at ${tickLabel(p.value)}` })),
      })),
      ...references
        .filter((r) => r.y !== null)
        .map((r) => ({
          label: `${r.label} (not swept)`,
          color: r.style.color,
          dash: [5, 4],
          pointRadius: 0,
          reference: true,
          points: [lo, hi].map((v) => ({ x: v, y: r.y, tip: `${r.label} (not swept): ${formatMetric(metric, r.y)}` })),
        })),
    ];
    return {
      id: `chart-sweep-${param}-${i}`,
      kind: 'line',
      title: chartTitle,
      caption:
        `${capitalise(METRICS[metric].description)}: one line per transport, one point per swept value (the median of its repeats).` +
        (references.length > 0 ? ' Dashed flat lines: transports the swept value does not apply to, run once for reference.' : ''),
      x,
      y,
      datasets,
      legend: legendPlace(datasets.length),
    };
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A little room either side of the first and last sweep value, so their points are not cut by the frame. */
function padded(lo: number, hi: number, log: boolean): { min: number; max: number } {
  if (log) return { min: lo / 1.25, max: hi * 1.25 };
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.max(1, Math.abs(lo) * 0.1);
  return { min: lo - pad, max: hi + pad };
}
