import { formatBytes, formatChange, formatCount, formatDurationUs, formatPercent, formatRatio } from '../format.js';
import { metricDefinition } from './catalog.js';
import type { AnyMetricName } from './latency-percentile.js';

/**
 * A metric value as text in its catalogue unit, built from the format module's functions:
 * 4200 µs → "4.20 ms", 0.9987 → "99.87%". Fractional µs and bytes below 1000 keep their
 * decimals (a CPU cost of 20.4 µs/event must not read as "20 µs" next to a limit of 20).
 */
export function formatMetric(metric: AnyMetricName, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (metricDefinition(metric).unit) {
    case 'us':
      return Number.isInteger(value) || Math.abs(value) >= 1000 ? formatDurationUs(value) : `${formatRatio(value)} µs`;
    case 'bytes':
      return Number.isInteger(value) || Math.abs(value) >= 1024 ? formatBytes(value) : `${formatRatio(value)} B`;
    case 'count':
      return formatCount(value);
    case 'ratio':
      return formatRatio(value);
    case 'fraction':
      return value === 0 || value === 1 ? formatPercent(value, 0) : formatPercent(value, 2);
    case 'percent':
      return `${formatRatio(value)}%`;
    case 'per_second':
      return `${formatRatio(value)}/s`;
  }
}

/**
 * A signed difference between two values of the metric: "+1.20 ms", "-3", "+0.13 pp"
 * (a change of a fraction is in percentage points, so it cannot be read as a relative change).
 */
export function formatMetricChange(metric: AnyMetricName, delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '–';
  const sign = delta > 0 ? '+' : '';
  if (metricDefinition(metric).unit === 'fraction') return `${sign}${formatRatio(delta * 100)} pp`;
  return `${sign}${formatMetric(metric, delta)}`;
}

/** A relative change: "+12.3%", and two decimals below 0.1% so a small change does not read as "+0.0%". */
export function formatRelativeChange(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  if (fraction !== 0 && Math.abs(fraction) < 0.001) return `${fraction > 0 ? '+' : ''}${formatPercent(fraction, 2)}`;
  return formatChange(fraction);
}
