import { METRIC_NAMES, metricDefinition, type MetricUnit } from '../metrics/catalog.js';

/** How a value of each unit is written in a threshold (docs/thresholds.md). */
const UNIT_SPELLING: Record<MetricUnit, string> = {
  us: 'duration: 800us, 50ms, 2s',
  bytes: 'size: 200, 200B, 4KiB, 1MB',
  count: 'count: 0, 12',
  ratio: 'ratio: 1.5',
  fraction: 'fraction: 99.9% or 0.999',
  percent: 'percent: 50 or 50%',
  per_second: 'per second: 1000',
};

export interface MetricListEntry {
  name: string;
  unit: MetricUnit;
  better: 'lower' | 'higher' | 'none';
  /** true: always; 'fixed-arrivals': only with `workload.arrival: fixed` (see MetricDefinition.deterministic). */
  deterministic: boolean | 'fixed-arrivals';
  description: string;
}

/** The catalogue as data, for `rtbench metrics --json`. */
export function metricList(): MetricListEntry[] {
  return METRIC_NAMES.map((name) => {
    const d = metricDefinition(name);
    return { name, unit: d.unit, better: d.better, deterministic: d.deterministic ?? false, description: d.description };
  });
}

/** A µs metric whose name says so (server.cpu_us_per_event) also takes a plain number. */
function spelling(m: MetricListEntry): string {
  return m.unit === 'us' && /(^|[._])us([._]|$)/.test(m.name) ? 'µs: 20, or a duration: 20us, 1ms' : UNIT_SPELLING[m.unit];
}

/**
 * Every metric a threshold, `compare --metrics` or `--fail-on` can name, one per line:
 * name, how to write its value, which way is better, whether it is deterministic (safe to
 * gate CI on), and what it means. A pure function of the catalogue.
 */
export function renderMetricList(): string {
  const rows = metricList().map((m) => [m.name, spelling(m), m.better === 'none' ? '–' : m.better, m.deterministic === true ? 'yes' : m.deterministic === 'fixed-arrivals' ? 'fixed arrivals' : '', m.description]);
  const head = ['metric', 'value (unit)', 'better', 'deterministic', 'description'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [
    line(head),
    ...rows.map(line),
    '',
    'Thresholds: <selector>.<metric> <op> <value>, e.g. "sse.latency.p99 < 50ms", "*.lost == 0" (docs/thresholds.md).',
    'Any latency percentile can be named too, computed from the latency histogram: latency.p95, latency.p(99.99).',
    'deterministic: depends only on the schedule and the protocol, not on machine speed; safe to gate CI on.',
    'fixed arrivals: deterministic only with workload.arrival: fixed (with Poisson arrivals, how many events share a long-poll answer depends on machine speed).',
    '',
  ].join('\n');
}
