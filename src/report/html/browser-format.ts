import { formatBytes, formatCount, formatDurationUs, formatPercent, formatRatio } from '../../format.js';
import { axisTickLabel } from './axis-tick-label.js';

/**
 * format.ts's own functions as JavaScript source for the page, so the few numbers the
 * browser formats (the value ticks Chart.js picks) read exactly like everything else
 * rtbench prints, and axisTickLabel, which writes a zero tick in its axis's unit. They are
 * self-contained (only formatRatio calls formatCount, which comes along), which
 * browser-format.test checks by evaluating this source.
 */
export function browserFormatSource(): string {
  return [formatDurationUs, formatBytes, formatCount, formatRatio, formatPercent, axisTickLabel].map((f) => f.toString()).join('\n');
}
