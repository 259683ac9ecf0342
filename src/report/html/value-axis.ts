import type { AxisSpec, ValueFormat } from './chart-spec.js';

/** Values spreading over this factor or more are drawn on a log scale, so small ones stay readable beside large ones. */
export const LOG_SPREAD = 20;

/** Log-scale headroom: the axis runs from min / this to max × this, so no line sits on the frame. */
const LOG_MARGIN = 1.6;

/**
 * The value (y) axis for a set of values: logarithmic when they are all positive and spread
 * by LOG_SPREAD or more (polling's hundreds of ms beside WebSocket's few ms), else linear from 0.
 */
export function valueAxis(title: string, format: ValueFormat, values: readonly number[]): AxisSpec {
  const positive = values.length > 0 && values.every((v) => v > 0);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (positive && hi / lo >= LOG_SPREAD) return { scale: 'logarithmic', title: `${title} (log scale)`, format, min: lo / LOG_MARGIN, max: hi * LOG_MARGIN };
  return { scale: 'linear', title, format, min: 0 };
}

/** Lines a legend below a chart holds before it moves to the right, where a long list does not squeeze the plot. */
export const LEGEND_BELOW_MAX = 6;

export function legendPlace(datasets: number): 'bottom' | 'right' {
  return datasets > LEGEND_BELOW_MAX ? 'right' : 'bottom';
}
