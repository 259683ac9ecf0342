import { metricDefinition, type MetricName, type MetricUnit } from '../metrics/catalog.js';
import { parseBytes, parseDurationUs } from '../units.js';
import type { Fail } from './invalid-expression.js';

const NUMBER = /^(\d+(?:\.\d+)?)\s*(.*)$/;

const EXAMPLE: Record<MetricUnit, string> = {
  us: 'a duration such as 50ms',
  bytes: 'a size such as 200B or 4KiB',
  count: 'a count such as 0',
  ratio: 'a number such as 1.5',
  fraction: 'a percentage such as 99.9%',
  percent: 'a percentage such as 50%',
  per_second: 'a rate such as 1000',
};

/**
 * A value as written in an expression (unsigned) → the metric's catalogue unit. The unit
 * written must fit the metric's:
 * - `us`: a duration (`800us`, `50ms`, `2s`, `1m30s`); a plain number is ambiguous and refused, unless
 *   the metric's name itself says µs (`server.cpu_us_per_event < 20`);
 * - `bytes`: a size (`200B`, `4KiB`, `1.5MB`) or a plain number of bytes;
 * - `fraction`: a percentage (`99.9%` = 0.999) or a plain number from 0 to 1;
 * - `percent`: a number with or without `%` (`50%` = 50);
 * - `count`, `ratio`, `per_second`: a plain number.
 */
export function parseLimitValue(text: string, metric: MetricName, fail: Fail): number {
  const unit = metricDefinition(metric).unit;
  const match = NUMBER.exec(text);
  if (match === null) return fail(`"${text}" is not a value for ${metric}; expected ${EXAMPLE[unit]}`);
  const number = Number(match[1]);
  const suffix = match[2];
  switch (unit) {
    case 'us': {
      if (suffix === '') {
        if (/(^|[._])us([._]|$)/.test(metric)) return number;
        return fail(`${metric} is a duration; add a unit: ${match[1]}ms, ${match[1]}us or ${match[1]}s`);
      }
      const us = parseDurationUs(text);
      if (us === undefined) return fail(`${metric} is a duration; "${text}" is not one (units: us, ms, s, m, h, as in 50ms or 1m30s)`);
      return us;
    }
    case 'bytes': {
      const factor = suffix === '' ? 1 : parseBytes(`1${suffix}`);
      if (factor === undefined) return fail(`${metric} is a size; "${text}" is not one (units: B, KB, KiB, MB, MiB, GB, GiB)`);
      return number * factor;
    }
    case 'fraction':
      if (suffix === '%') return roundDecimal(number / 100);
      if (suffix !== '') return fail(`${metric} is a fraction; write a percentage such as 99.9% or a number from 0 to 1`);
      if (number > 1) return fail(`${metric} is a fraction from 0 to 1; write ${match[1]}% or ${roundDecimal(number / 100)}`);
      return number;
    case 'percent':
      if (suffix === '%' || suffix === '') return number;
      return fail(`${metric} is a percentage; write a number such as 50 or 50%`);
    case 'count':
    case 'ratio':
    case 'per_second':
      if (suffix === '') return number;
      return fail(`${metric} is a ${unit === 'per_second' ? 'rate per second' : unit} without a unit; write a plain number, not "${text}"`);
  }
}

/** 99.9 / 100 is 0.9990000000000001 in floating point; a limit the user wrote as 99.9% must be exactly 0.999. */
export function roundDecimal(x: number): number {
  return Number(x.toPrecision(12));
}
