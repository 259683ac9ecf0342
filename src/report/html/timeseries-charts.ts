import { formatClock } from '../../format.js';
import type { TimeSeries } from '../../result/types.js';
import type { AxisSpec, ChartSlot, FaultMarkSpec, LineDataset, ValueFormat } from './chart-spec.js';
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
  const marks = faultMarkSpecs(withSeries);
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
      caption: marks.length > 0 ? `${chart.caption} ${FAULTS_CAPTION}` : chart.caption,
      x,
      y: { scale: 'linear', title: chart.axis, format: chart.format, min: 0 },
      datasets,
      bands,
      ...(marks.length > 0 ? { marks } : {}),
      legend: legendPlace(datasets.length),
    };
  });
}

const FAULTS_CAPTION = 'Faults: dashed lines for cuts and storms, hatched spans for stalls and restarts (until the server answered again); grey when several phases had them.';
/** Grey for a fault several phases share. */
const SHARED_MARK_COLOR = '#59636e';

/**
 * Each phase's faults (PhaseResult.faults) on the shared time axis. The same fault of
 * several phases (same label, same offset into the window to 0.1 s; for restarts, the n-th
 * of each phase) is one grey mark from
 * the earliest start to the latest end among them — phases' windows open at slightly
 * different times, and one mark per phase would draw a comb; a fault only one phase had
 * keeps that phase's colour.
 */
export function faultMarkSpecs(phases: readonly ReportPhase[]): FaultMarkSpec[] {
  const groups = new Map<string, { at: number; until: number | undefined; label: string; colors: Set<string> }>();
  for (const rp of phases) {
    const windowStartS = rp.phase.timeseries.windowStartS;
    let restarts = 0;
    for (const f of rp.phase.faults ?? []) {
      // A restart's times are measured (its start waits on the machine): the n-th of each phase is one fault.
      const key = f.kind === 'restart' ? `${f.label}#${restarts++}` : `${f.label}@${Math.round((f.atS - windowStartS) * 10)}`;
      const group = groups.get(key);
      if (group === undefined) {
        groups.set(key, { at: f.atS, until: f.untilS, label: f.label, colors: new Set([rp.style.color]) });
        continue;
      }
      group.at = Math.min(group.at, f.atS);
      if (f.untilS !== undefined) group.until = Math.max(group.until ?? f.untilS, f.untilS);
      group.colors.add(rp.style.color);
    }
  }
  const round = (v: number): number => Math.round(v * 100) / 100;
  return [...groups.values()]
    .map((g) => ({ at: round(g.at), ...(g.until !== undefined ? { until: round(g.until) } : {}), label: g.label, color: g.colors.size > 1 ? SHARED_MARK_COLOR : [...g.colors][0] }))
    .sort((a, b) => a.at - b.at);
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
