import { InvalidArgumentError } from 'commander';
import { parseBytes, parseDurationUs } from '../units.js';

/**
 * Commander argument parsers. Each throws InvalidArgumentError with what was expected,
 * which commander turns into `option '--x <n>' argument 'y' is invalid. <reason>`.
 */

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}.`);
    }
    return Number(value);
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Expected a number above 0.');
  return n;
}

/** A duration with a unit ("250ms", "2s") → milliseconds. */
export function durationMs(value: string): number {
  const us = parseDurationUs(value);
  if (us === undefined) throw new InvalidArgumentError('Expected a duration with a unit, such as 250ms, 2s or 1m.');
  return us / 1000;
}

/** A size ("128", "4KiB", "1MB") → bytes. */
export function bytes(value: string): number {
  const n = parseBytes(value);
  if (n === undefined) throw new InvalidArgumentError('Expected a size such as 128, 4KiB or 1MB.');
  return n;
}

/** Repeatable option: collects every occurrence. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
