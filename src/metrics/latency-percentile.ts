import type { MetricDefinition, MetricName } from './catalog.js';

/**
 * Any delivery-latency percentile, beyond the catalogue's fixed keys (`latency.p50`, `p90`,
 * `p99`, `p999`): computed from the phase's stored latency histogram (result
 * `histograms.latency`), so a threshold or `compare --fail-on` can name the percentile it
 * cares about. Written
 * - `latency.p(X)`, X a number with 0 < X ≤ 100: `latency.p(95)`, `latency.p(99.99)`;
 * - `latency.pN` for a whole percentile from 1 to 100: `latency.p95`, `latency.p5`, `latency.p100`;
 * - `latency.p999`, `latency.p9999`, …: 99.9, 99.99, … (the catalogue's spelling of p99.9).
 * Other digit strings (`latency.p995`) are ambiguous and refused in favour of `p(X)`.
 */
export type PercentileMetric = `latency.p${string}`;

/** What an expression can name: a catalogue metric or a latency percentile. */
export type AnyMetricName = MetricName | PercentileMetric;

/** A percentile name read: its one spelling (a catalogue key when there is one) and the percentile; or what is wrong with it. */
export type PercentileRead = { readonly metric: AnyMetricName; readonly percentile: number } | { readonly problem: string };

/** The catalogue's fixed latency percentiles: a name for the same percentile resolves to these. */
const CATALOGUE_KEYS: ReadonlyMap<number, MetricName> = new Map([
  [50, 'latency.p50'],
  [90, 'latency.p90'],
  [99, 'latency.p99'],
  [99.9, 'latency.p999'],
]);

const PREFIX = 'latency.p';
const DIGITS = /^\d+$/;
const NUMBER = /^\d+(?:\.\d+)?$/;
const NINES = /^999+$/;

/**
 * `latency.p95` → { metric: 'latency.p95', percentile: 95 }; `latency.p(99.9)` → the
 * catalogue's `latency.p999`; a malformed percentile → { problem }; a name that is not a
 * latency percentile at all → undefined.
 */
export function readLatencyPercentile(name: string): PercentileRead | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const rest = name.slice(PREFIX.length);
  let percentile: number;
  if (rest.startsWith('(')) {
    const inner = rest.endsWith(')') ? rest.slice(1, -1) : '';
    if (!NUMBER.test(inner)) return { problem: `"${name}": the percentile in p(…) must be a number such as 95 or 99.99` };
    percentile = Number(inner);
  } else if (DIGITS.test(rest)) {
    if (rest.length <= 2 || rest === '100') percentile = Number(rest);
    else if (NINES.test(rest)) percentile = Number(`99.${rest.slice(2)}`);
    else return { problem: `"${name}" is ambiguous; write the percentile in parentheses, e.g. latency.p(${rest.slice(0, 2)}.${rest.slice(2)})` };
  } else {
    return undefined;
  }
  if (!(percentile > 0 && percentile <= 100)) return { problem: `"${name}": a percentile is above 0 and at most 100` };
  return { metric: spelling(percentile), percentile };
}

/** The percentile a latency metric stands for (50 for `latency.p50`, 95 for `latency.p95`), undefined for any other metric. */
export function latencyPercentileOf(metric: string): number | undefined {
  const read = readLatencyPercentile(metric);
  return read !== undefined && 'percentile' in read ? read.percentile : undefined;
}

/** How a percentile outside the catalogue is described, formatted and judged: a latency in µs, lower is better. */
export function percentileDefinition(percentile: number): MetricDefinition {
  return { unit: 'us', better: 'lower', description: `delivery latency at percentile ${percentile}, from the latency histogram` };
}

function spelling(percentile: number): AnyMetricName {
  return CATALOGUE_KEYS.get(percentile) ?? (Number.isInteger(percentile) ? `latency.p${percentile}` : `latency.p(${percentile})`);
}
