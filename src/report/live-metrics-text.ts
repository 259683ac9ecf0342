/**
 * The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` per family,
 * then one `name{label="value",…} number` line per sample.
 *
 * Written here rather than through prom-client (which renders the reference server's
 * /metrics): prom-client's Histogram is fed one observation at a time, and rtbench's
 * latencies arrive already counted in HDR histograms — up to millions of events a phase —
 * whose buckets become `le` buckets directly. Feeding them back one by one would cost a
 * call per event per scrape; the format itself is these few lines.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family's name: a histogram's `_bucket`, `_sum` and `_count`. */
  readonly suffix?: '_bucket' | '_sum' | '_count';
  readonly labels: Labels;
  readonly value: number;
}

export interface MetricFamily {
  /** snake_case, `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** May be empty: HELP and TYPE are still written, so the family's name is known before it has values. */
  readonly samples: readonly Sample[];
}

/** Every family, in order, as one exposition document (ends with a newline). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${sample.suffix ?? ''}${renderLabels(sample.labels)} ${renderValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A histogram's samples for one label set: cumulative `_bucket` lines for each upper bound
 * (`le`, in the family's unit) and `+Inf`, then `_sum` and `_count`. `counts[i]` is how many
 * values fell at or below `bounds[i]` and above `bounds[i − 1]`; `counts[bounds.length]`,
 * those above the last bound.
 */
export function histogramSamples(labels: Labels, bounds: readonly number[], counts: readonly number[], sum: number): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (const [i, bound] of bounds.entries()) {
    cumulative += counts[i] ?? 0;
    samples.push({ suffix: '_bucket', labels: { ...labels, le: renderValue(bound) }, value: cumulative });
  }
  cumulative += counts[bounds.length] ?? 0;
  samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: cumulative });
  samples.push({ suffix: '_sum', labels, value: sum });
  samples.push({ suffix: '_count', labels, value: cumulative });
  return samples;
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/** Label values escape backslash, double quote and line feed (format 0.0.4). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed only. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as Go's ParseFloat reads it: `+Inf`, `-Inf`, `NaN`, or JavaScript's shortest decimal. */
function renderValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}
