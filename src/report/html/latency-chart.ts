import { formatDurationUs, formatPercent } from '../../format.js';
import { decodeHistogram } from '../../metrics/histogram.js';
import type { AxisSpec, ChartSlot, LineDataset } from './chart-spec.js';
import { percentileCurve } from './percentile-curve.js';
import type { ReportPhase } from './report-phases.js';
import { legendPlace, valueAxis } from './value-axis.js';

/** The axis always reaches 99.99 %; further when a phase has enough samples to say more. */
const MIN_AXIS_MAX = 10_000;

/**
 * The delivery-latency percentile distribution, HdrHistogram style: one line per phase,
 * x = percentile on a log scale of 1 / (1 − p) labelled 50 %, 90 %, 99 %, 99.9 %, …, y = latency.
 * The histograms are decoded here, in Node; the page only gets the points.
 */
export function latencyChart(phases: readonly ReportPhase[]): ChartSlot {
  const datasets: LineDataset[] = [];
  const unreadable: string[] = [];
  for (const rp of phases) {
    if (!rp.phase.histograms?.latency) continue;
    let curve;
    try {
      curve = percentileCurve(decodeHistogram(rp.phase.histograms.latency));
    } catch {
      // A damaged histogram costs its line, not the report: the caption names it.
      unreadable.push(rp.label);
      continue;
    }
    if (curve.length === 0) continue;
    datasets.push({
      label: rp.label,
      color: rp.style.color,
      dash: rp.style.dash,
      pointRadius: 0,
      points: curve.map((p) => ({ x: p.x, y: Math.max(1, p.valueUs), tip: `${rp.label}: ${percentileName(p.percentile)} ${formatDurationUs(p.valueUs)}` })),
    });
  }
  if (datasets.length === 0) {
    return { kind: 'missing', title: 'Delivery latency distribution', reason: unreadable.length > 0 ? `the latency histograms are unreadable (${unreadable.join(', ')})` : 'no phase delivered an event' };
  }

  const xs = datasets.flatMap((d) => d.points.map((p) => p.x));
  const ys = datasets.flatMap((d) => d.points.map((p) => p.y)).filter((y): y is number => y !== null);
  const xMax = Math.max(MIN_AXIS_MAX, 10 ** Math.ceil(Math.log10(Math.max(...xs))));
  const x: AxisSpec = { scale: 'logarithmic', title: 'percentile (log scale of 1 / (1 − p))', format: 'ratio', min: 1, max: xMax, ticks: percentileTicks(xMax) };
  const y = valueAxis('delivery latency', 'durationUs', ys);
  return {
    id: 'chart-latency',
    kind: 'line',
    title: 'Delivery latency distribution',
    caption:
      'Latency from the scheduled publish time to receipt, by percentile: a point at 99 % means 1 delivery in 100 was slower. ' +
      'For polling this is the staleness its interval causes. The right end of each line is the slowest delivery.' +
      (unreadable.length > 0 ? ` Not drawn, their latency histogram is unreadable: ${unreadable.join(', ')}.` : ''),
    x,
    y,
    datasets,
    legend: legendPlace(datasets.length),
  };
}

/** Ticks at 0 %, 50 %, 90 %, 99 %, 99.9 %, … up to `xMax` (a power of ten). */
export function percentileTicks(xMax: number): { value: number; label: string }[] {
  const ticks = [{ value: 1, label: formatPercent(0, 0) }, { value: 2, label: formatPercent(0.5, 0) }];
  for (let decade = 1; 10 ** decade <= xMax; decade++) {
    ticks.push({ value: 10 ** decade, label: formatPercent(1 - 10 ** -decade, Math.max(0, decade - 2)) });
  }
  return ticks;
}

/** "p50", "p96.9", "p99.80", "max": enough digits to tell the tail's steps apart. */
function percentileName(percentile: number): string {
  if (percentile >= 100) return 'max';
  const digits = Math.min(4, Math.max(0, Math.ceil(-Math.log10(1 - percentile / 100)) - 1));
  return `p${formatPercent(percentile / 100, digits).replace('%', '')}`;
}
