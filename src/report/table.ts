import Table from 'cli-table3';
import { formatBytes, formatDurationUs, formatPercent, formatRatio } from '../format.js';
import type { RunResult } from '../result/types.js';
import { phaseLabel } from './phase-label.js';

/**
 * The end-of-run table: one row per phase, the figures that decide between transports.
 * A pure function of the result. cli-table3 colours its borders and headers by default —
 * even into a pipe — so styles are empty unless `color` is asked for.
 */
export function renderResultTable(result: RunResult, options: { color?: boolean } = {}): string {
  const repeats = Math.max(1, ...result.phases.map((p) => p.repeat));
  const table = new Table({
    head: ['phase', 'delivered', 'p50', 'p99', 'max', 'req/event', 'bytes/event', 'server CPU', 'CPU/event', 'mem/conn'],
    style: options.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const phase of result.phases) {
    const m = phase.metrics;
    const flags = `${phase.status !== 'complete' ? ` (${phase.status})` : ''}${phase.generatorSaturated ? ' !' : ''}`;
    table.push([
      `${phaseLabel(phase, repeats)}${flags}`,
      m.delivered_ratio === null ? '–' : formatPercent(m.delivered_ratio, m.delivered_ratio === 1 ? 0 : 2),
      formatDurationUs(m['latency.p50']),
      formatDurationUs(m['latency.p99']),
      formatDurationUs(m['latency.max']),
      formatRatio(m.requests_per_event),
      m.bytes_per_event === null ? '–' : `${Math.round(m.bytes_per_event)} B`,
      m['server.cpu_percent'] === null ? '–' : `${m['server.cpu_percent'].toFixed(1)}%`,
      formatDurationUs(m['server.cpu_us_per_event']),
      formatBytes(m['server.memory_per_connection']),
    ]);
  }
  const footnotes: string[] = [];
  if (result.phases.some((p) => p.generatorSaturated)) footnotes.push('! the load generator saturated in this phase: its latency is inflated (see warnings)');
  return `${table.toString()}\n${footnotes.map((f) => `  ${f}\n`).join('')}`;
}
