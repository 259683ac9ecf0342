import { formatBytes, formatDurationUs, formatPercent, formatRatio } from '../format.js';
import type { PhaseResult } from '../result/types.js';
import { phaseLabel } from '../result/phase-label.js';

/**
 * The figures that decide between transports, one row per phase, as text: the columns of the
 * end-of-run table (table.ts) and of the Markdown report (markdown.ts).
 */
export const RESULT_HEAD = ['phase', 'delivered', 'p50', 'p99', 'max', 'req/event', 'bytes/event', 'server CPU', 'CPU/event', 'mem/conn'] as const;

/** Every column but the first is a number and aligns right. */
export const RESULT_NUMERIC_COLUMNS: ReadonlySet<number> = new Set(RESULT_HEAD.map((_, i) => i).filter((i) => i > 0));

export function resultRow(phase: PhaseResult, repeats: number): string[] {
  const m = phase.metrics;
  const flags = `${phase.status !== 'complete' ? ` (${phase.status})` : ''}${phase.generatorSaturated ? ' !' : ''}`;
  return [
    `${phaseLabel(phase, repeats)}${flags}`,
    m.delivered_ratio === null ? '–' : formatPercent(m.delivered_ratio, m.delivered_ratio === 1 ? 0 : 2),
    formatDurationUs(m['latency.p50']),
    formatDurationUs(m['latency.p99']),
    formatDurationUs(m['latency.max']),
    formatRatio(m.requests_per_event),
    formatBytes(m.bytes_per_event),
    formatPercent(m['server.cpu_percent'] === null ? null : m['server.cpu_percent'] / 100, 1),
    formatDurationUs(m['server.cpu_us_per_event']),
    formatBytes(m['server.memory_per_connection']),
  ];
}

export const SATURATION_FOOTNOTE = '! the load generator saturated in this phase: its latency is inflated (see warnings)';

/** Below this many clients, (peak − starting RSS) / clients mostly measures the server's own warm-up. */
export const MEMORY_PER_CONNECTION_MIN_CLIENTS = 1000;

export const FEW_CLIENTS_FOOTNOTE = `mem/conn is (peak − starting RSS) / clients: below ${MEMORY_PER_CONNECTION_MIN_CLIENTS} clients it mostly measures the server warming up, not its connections`;

/** The footnotes a set of phases needs under its table. */
export function resultFootnotes(phases: readonly PhaseResult[]): string[] {
  const notes: string[] = [];
  if (phases.some((p) => p.generatorSaturated)) notes.push(SATURATION_FOOTNOTE);
  if (phases.some((p) => p.metrics['server.memory_per_connection'] !== null && p.params.clients < MEMORY_PER_CONNECTION_MIN_CLIENTS)) notes.push(FEW_CLIENTS_FOOTNOTE);
  return notes;
}
