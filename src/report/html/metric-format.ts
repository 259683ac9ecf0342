import { formatBytes, formatCount, formatDurationUs, formatPercent, formatRatio } from '../../format.js';
import type { MetricUnit } from '../../metrics/catalog.js';
import type { ValueFormat } from './chart-spec.js';

/**
 * Values that are not a catalogue metric's (sweep values, per-second samples, axis ticks)
 * into text; a metric's own value goes through metrics/metric-text.ts's formatMetric.
 */

/** The axis format for a catalogue unit. */
export const FORMAT_OF_UNIT: Readonly<Record<MetricUnit, ValueFormat>> = {
  us: 'durationUs',
  bytes: 'bytes',
  count: 'count',
  ratio: 'ratio',
  fraction: 'fraction',
  percent: 'cpuPercent',
  per_second: 'perSecond',
};

/** A value in one of the report's formats; "–" for nothing measured. */
export function formatValue(format: ValueFormat, value: number | null | undefined): string {
  switch (format) {
    case 'durationUs':
      return formatDurationUs(value);
    case 'bytes':
      return formatBytes(value);
    case 'count':
      return formatCount(value);
    case 'ratio':
      return formatRatio(value);
    case 'perSecond':
      return value === null || value === undefined ? formatRatio(value) : `${formatRatio(value)}/s`;
    case 'fraction':
      return formatPercent(value, 1);
    case 'cpuPercent':
      return formatPercent(value === null || value === undefined ? value : value / 100, 1);
  }
}
