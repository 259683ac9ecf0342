/**
 * Parsing of human quantities (flags, scenario files, thresholds) into integer base units:
 * durations → µs, sizes → bytes. Returns undefined on anything it does not understand;
 * callers turn that into an error naming where the value came from.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)$/;
const DURATION_UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** "250ms", "1.5s", "2m", "800us" → integer µs. A unit is required: "250" is ambiguous. */
export function parseDurationUs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNIT_US[match[2]]);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const SIZE_UNIT_BYTES: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** "128", "128B", "4KiB", "1.5MB" → integer bytes. */
export function parseBytes(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * SIZE_UNIT_BYTES[match[2] ?? 'B']);
}

/** A duration written back the way a person would: 250000 → "250ms", 2000000 → "2s". */
export function durationLabel(us: number): string {
  if (us % 60_000_000 === 0 && us >= 60_000_000) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0 && us >= 1_000_000) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}
