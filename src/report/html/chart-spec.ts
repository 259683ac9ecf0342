/**
 * What the page's script draws: plain JSON, built in Node (where every number is decoded,
 * computed and, for labels and tooltips, formatted) and embedded in the report. The browser
 * only turns a spec into a Chart.js chart; the one thing it formats itself is the value
 * ticks Chart.js picks for an axis, with format.ts's own functions (see browser-format.ts).
 */

/** How an axis's values read; each names a function of format.ts. */
export type ValueFormat =
  | 'durationUs' // formatDurationUs
  | 'bytes' // formatBytes
  | 'count' // formatCount
  | 'ratio' // formatRatio
  | 'perSecond' // formatRatio + "/s"
  | 'fraction' // formatPercent of a 0–1 fraction
  | 'cpuPercent'; // formatPercent of percent-of-one-core / 100

export interface AxisSpec {
  readonly scale: 'linear' | 'logarithmic' | 'category';
  readonly title: string;
  /** Formats the ticks Chart.js chooses; unused when `ticks` is given. */
  readonly format: ValueFormat;
  /** Fixed ticks with labels made in Node (percentiles, sweep values, elapsed time). */
  readonly ticks?: readonly { readonly value: number; readonly label: string }[];
  readonly min?: number;
  readonly max?: number;
}

export interface LinePoint {
  readonly x: number;
  readonly y: number | null;
  /** Tooltip line for this point, formatted in Node. */
  readonly tip?: string;
}

export interface LineDataset {
  readonly label: string;
  readonly color: string;
  readonly dash: readonly number[];
  readonly points: readonly LinePoint[];
  /** Radius of the point markers; 0 draws the line only. */
  readonly pointRadius: number;
  /** A flat reference line (a transport that was not swept): thinner, no markers. */
  readonly reference?: boolean;
}

export interface LineChartSpec {
  readonly id: string;
  readonly kind: 'line';
  readonly title: string;
  readonly caption: string;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly datasets: readonly LineDataset[];
  readonly legend: 'bottom' | 'right';
  /** Shaded x ranges (the measurement windows of a time series). */
  readonly bands?: readonly { readonly from: number; readonly to: number }[];
  /** Faults on a time series: a dashed line at `at`, a hatched span to `until` when it lasted, `label` above. */
  readonly marks?: readonly FaultMarkSpec[];
}

export interface FaultMarkSpec {
  readonly at: number;
  readonly until?: number;
  readonly label: string;
  readonly color: string;
}

export interface BarChartSpec {
  readonly id: string;
  readonly kind: 'bar';
  readonly title: string;
  readonly caption: string;
  /** One bar per phase. */
  readonly labels: readonly string[];
  readonly values: readonly (number | null)[];
  readonly colors: readonly string[];
  readonly fills: readonly string[];
  readonly tips: readonly string[];
  /** The value axis: y for vertical bars, x for horizontal ones. */
  readonly value: AxisSpec;
  /** Horizontal when there are many phases or long labels: names stay readable, bars stay thick. */
  readonly orientation: 'vertical' | 'horizontal';
}

export type ChartSpec = LineChartSpec | BarChartSpec;

/** A chart that could not be drawn because no phase measured its figure. */
export interface MissingChart {
  readonly kind: 'missing';
  readonly title: string;
  readonly reason: string;
}

/** What a report section lays out: charts, and placeholders for figures nobody measured. */
export type ChartSlot = ChartSpec | MissingChart;
