import { InvalidArgumentError, Option } from 'commander';
import { durationLabel, parseBytes, parseDurationUs, sizeLabel } from '../units.js';

/**
 * Commander argument parsers, every one bounded. Each throws InvalidArgumentError with what
 * was expected, which commander turns into `option '--x <n>' argument 'y' is invalid. <reason>`.
 * Durations and sizes are read by src/units.ts, the one grammar for both.
 */

export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

/** A duration ("250ms", "2s", "1m30s") from `minMs` to `maxMs` → milliseconds. */
export function durationMs(minMs: number, maxMs: number): (value: string) => number {
  return (value) => {
    const us = parseDurationUs(value);
    if (us === undefined || us < minMs * 1000 || us > maxMs * 1000) {
      throw new InvalidArgumentError(`Expected a duration from ${durationLabel(minMs * 1000)} to ${durationLabel(maxMs * 1000)}, such as 250ms, 2s or 1m30s.`);
    }
    return us / 1000;
  };
}

/** A size ("512", "4KiB", "1MB") from `min` to `max` bytes → bytes. */
export function bytes(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = parseBytes(value);
    if (n === undefined || n < min || n > max) throw new InvalidArgumentError(`Expected a size from ${sizeLabel(min)} to ${sizeLabel(max)}, such as 512, 4KiB or 1MB.`);
    return n;
  };
}

/** An option taking a duration, whose default (in ms) --help shows the way it is typed: `(default: 25s)`. */
export function durationOption(flags: string, description: string, range: [minMs: number, maxMs: number], defaultMs: number): Option {
  return new Option(flags, description).argParser(durationMs(...range)).default(defaultMs, durationLabel(defaultMs * 1000));
}

/** An option taking a size, whose default (in bytes) --help shows the way it is typed: `(default: 1MiB)`. */
export function sizeOption(flags: string, description: string, range: [min: number, max: number], defaultBytes: number): Option {
  return new Option(flags, description).argParser(bytes(...range)).default(defaultBytes, sizeLabel(defaultBytes));
}

/** Repeatable option: collects every occurrence. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
