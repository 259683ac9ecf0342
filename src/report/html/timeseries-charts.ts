import { formatClock } from '../../format.js';
import type { TimeSeries } from '../../result/types.js';
import type { AxisSpec, ChartSlot, LineDataset, ValueFormat } from './chart-spec.js';
import { formatValue } from './metric-format.js';
import { legendPlace } from './value-axis.js';
import type { ReportPhase } from './report-phases.js';

interface SeriesChart {
  readonly series: 'delivered' | 'serverCpuPercent' | 'connected';
  readonly title: string;
  readonly axis: string;
  readonly format: ValueFormat;
  readonly caption: string;
}

const SERIES_CHARTS: readonly SeriesChart[] = [
  { series: 'delivered', title: 'Delivered events per second', axis: 'deliveries / s', format: 'perSecond', caption: 'Deliveries received by all subscribers in each second of the phase.' },
  { series: 'serverCpuPercent', title: 'Server CPU', axis: '% of one core', format: 'cpuPercent', caption: 'Server process CPU (user + system) in each second, percent of one core.' },
  { series: 'connected', title: 'Connected clients', axis: 'clients', format: 'count', caption: 'Subscribers connected at the end of each second: the ramp-up, the plateau, the drain.' },
];

/** At most this many labelled ticks on the time axis, spaced by the first step that allows it. */
const MAX_TIME_TICKS = 12;
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Per-second series over each phase (connect, warm-up, window, drain), one line per phase,
 * x = seconds since the phase started. Each phase's measurement window is shaded; phases
 * whose windows coincide share one band.
 */
export function timeseriesCharts(phases: readonly ReportPhase[]): ChartSlot[] {
  const withSeries = phases.filter((rp) => rp.phase.timeseries?.t?.length > 0);
  const bands = windowBands(withSeries.map((rp) => rp.phase.timeseries));
  const tEnd = Math.max(1, ...withSeries.map((rp) => rp.phase.timeseries.t.at(-1)!), ...bands.map((b) => b.to));
  const x: AxisSpec = { scale: 'linear', title: 'time since the phase started (m:ss)', format: 'count', min: 0, max: Math.ceil(tEnd), ticks: timeTicks(Math.ceil(tEnd)) };

  return SERIES_CHARTS.map((chart, i) => {
    const datasets: LineDataset[] = [];
    for (const rp of withSeries) {
      const ts = rp.phase.timeseries;
      const values = ts[chart.series] as readonly (number | null)[] | undefined;
      if (!values || values.every((v) => v === null)) continue;
      datasets.push({
        label: rp.label,
        color: rp.style.color,
        dash: rp.style.dash,
        pointRadius: ts.t.length > 60 ? 0 : 3,
        points: ts.t.map((t, j) => ({ x: t, y: values[j] ?? null, tip: `${rp.label}: ${formatValue(chart.format, values[j])} (second ending ${formatClock(t)})` })),
      });
    }
    if (datasets.length === 0) {
      const reason =
        chart.series === 'serverCpuPercent'
          ? 'no per-second server CPU sample: the target reported no load, or every phase was too short for two samples (CPU is a difference between them)'
          : 'no per-second samples in any phase';
      return { kind: 'missing', title: chart.title, reason };
    }
    return {
      id: `chart-time-${i}`,
      kind: 'line',
      title: chart.title,
      caption: chart.caption,
      x,
      y: { scale: 'linear', title: chart.axis, format: chart.format, min: 0 },
      datasets,
      bands,
      legend: legendPlace(datasets.length),
    };
  });
}

/** The distinct measurement windows, to a tenth of a second. */
export function windowBands(series: readonly TimeSeries[]): { from: number; to: number }[] {
  const seen = new Map<string, { from: number; to: number }>();
  for (const ts of series) {
    const band = { from: Math.round(ts.windowStartS * 10) / 10, to: Math.round(ts.windowEndS * 10) / 10 };
    seen.set(`${band.from}-${band.to}`, band);
  }
  return [...seen.values()];
}

function timeTicks(endS: number): { value: number; label: string }[] {
  const step = TIME_STEPS_S.find((s) => endS / s <= MAX_TIME_TICKS) ?? Math.ceil(endS / MAX_TIME_TICKS);
  const ticks: { value: number; label: string }[] = [];
  for (let s = 0; s <= endS; s += step) ticks.push({ value: s, label: formatClock(s) });
  return ticks;
}
