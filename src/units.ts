/**
 * The one grammar for human quantities — flags, scenario files, thresholds — and their
 * parsing into integer base units: durations → µs, sizes → bytes. The parsers return
 * undefined on anything they do not understand; callers turn that into an error naming where
 * the value came from. schema/scenario.schema.json spells the same grammar as its `pattern`s
 * (test/units.test.ts keeps them equal).
 *
 * Durations: one or more `<number><unit>` parts, largest unit first, each unit at most once:
 * `250ms`, `2s`, `1.5s`, `1m30s`, `1h`, `800us` (or `800µs`). A unit is required: "250" is
 * ambiguous.
 * Sizes: a whole number of bytes (`512`, `512B`), or a number with a larger unit: `1KB`
 * (1000), `1.5KiB` (1536), `1MB`, `1MiB`, `1GB`, `1GiB`, rounded to whole bytes.
 */

const NUMBER = '\\d+(?:\\.\\d+)?';
const DURATION_UNITS = ['h', 'm', 's', 'ms', '(?:us|µs)'] as const;

const durationGrammar = (number: string): string => `(?=\\d)${DURATION_UNITS.map((unit) => `(?:${number}\\s*${unit}\\s*)?`).join('')}`;
/** The duration grammar as a regular-expression source, without anchors (the schema's patterns embed it). */
export const DURATION_SOURCE = durationGrammar(NUMBER);
const DURATION = new RegExp(`^${durationGrammar(`(${NUMBER})`)}$`);
/** µs per unit, in the order of DURATION_UNITS (the capture groups). */
const DURATION_UNIT_US = [3_600_000_000, 60_000_000, 1_000_000, 1_000, 1] as const;

/** "250ms", "1.5s", "1m30s", "800us" → integer µs (rounded); undefined when not a duration or beyond 2^53 µs. */
export function parseDurationUs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  let us = 0;
  for (let i = 0; i < DURATION_UNIT_US.length; i++) if (match[i + 1] !== undefined) us += Number(match[i + 1]) * DURATION_UNIT_US[i];
  us = Math.round(us);
  return Number.isSafeInteger(us) ? us : undefined;
}

/** The size grammar as a regular-expression source, without anchors. */
export const SIZE_SOURCE = `(?:\\d+\\s*B?|${NUMBER}\\s*(?:KB|kB|KiB|MB|MiB|GB|GiB))`;
const SIZE = new RegExp(`^(?:(\\d+)\\s*B?|(${NUMBER})\\s*(KB|kB|KiB|MB|MiB|GB|GiB))$`);
const SIZE_UNIT_BYTES: Record<string, number> = { KB: 1e3, kB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** "512", "512B", "4KiB", "1.5MB" → integer bytes (a fraction of a unit rounded); undefined when not a size or beyond 2^53. */
export function parseBytes(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const bytes = match[1] !== undefined ? Number(match[1]) : Math.round(Number(match[2]) * SIZE_UNIT_BYTES[match[3]]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A duration written back the way a person would (and the grammar above reads): 250000 → "250ms", 2000000 → "2s". Phase keys use it. */
export function durationLabel(us: number): string {
  if (us % 60_000_000 === 0 && us >= 60_000_000) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0 && us >= 1_000_000) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}

/** A size written back in the grammar above: 1048576 → "1MiB", 1000 → "1KB", 1500 → "1500". */
export function sizeLabel(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024], ['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
