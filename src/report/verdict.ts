import { formatCount, formatDurationUs, formatPercent, formatRatio } from '../format.js';
import type { PhaseResult, RunResult } from '../result/types.js';
import { phaseLabel, repeatsOf } from '../result/phase-label.js';
import { recommend } from './recommendation.js';
import { renderFaultVerdict } from './fault-verdict.js';

const PUSH = new Set(['sse', 'ws']);

/**
 * A few plain sentences under the table: what each transport delivered, at what latency,
 * for how many requests — with polling's staleness measured against the best push
 * transport of the same run — then who cost the server least and most per event.
 */
export function renderVerdict(result: RunResult): string {
  const repeats = repeatsOf(result);
  const measured = result.phases.filter((p) => p.metrics['latency.p50'] !== null);
  if (measured.length === 0) return 'No phase delivered anything to compare.\n';
  const push = measured.filter((p) => PUSH.has(p.transport)).sort((a, b) => a.metrics['latency.p50']! - b.metrics['latency.p50']!);
  const reference = push[0];

  const sentences = measured.map((phase) => {
    const m = phase.metrics;
    const name = phaseLabel(phase, repeats);
    // A phase stopped before its expectations were known (partial, failed) has deliveries but no ratio.
    const state = phase.status === 'complete' ? '' : ` (${phase.status})`;
    const delivered = m.delivered_ratio === null ? `${state.trim()} delivered ${formatCount(m.delivered)} events`.trim() : `delivered ${formatPercent(m.delivered_ratio, m.delivered_ratio === 1 ? 0 : 2)}${state}`;
    const lost = m.lost !== null && m.lost > 0 ? ` (lost ${m.lost})` : '';
    if (PUSH.has(phase.transport)) {
      const connections = m.reconnects !== 0 ? `with ${m.reconnects} reconnects` : (sharedConnections(m) ?? 'over one connection per client');
      return `${name} ${delivered}${lost} at p50 ${formatDurationUs(m['latency.p50'])}, p99 ${formatDurationUs(m['latency.p99'])} ${connections}`;
    }
    const staleness =
      reference !== undefined && reference !== phase
        ? `added ${formatDurationUs(m['latency.p50']! - reference.metrics['latency.p50']!)} median ${phase.transport === 'polling' ? 'staleness' : 'latency'} over ${phaseLabel(reference, repeats)}`
        : `at p50 ${formatDurationUs(m['latency.p50'])}, p99 ${formatDurationUs(m['latency.p99'])}`;
    const shared = sharedConnections(m);
    return `${name} ${delivered}${lost} but ${staleness} and made ${formatRatio(m.requests_per_event)} requests per event${shared !== undefined ? ` ${shared}` : ''}`;
  });

  const lines = [`${sentences.join('; ')}.`];
  const byCpu = measured.filter((p) => p.metrics['server.cpu_us_per_event'] !== null).sort((a, b) => a.metrics['server.cpu_us_per_event']! - b.metrics['server.cpu_us_per_event']!);
  if (byCpu.length >= 2) {
    const [low, high] = [byCpu[0], byCpu.at(-1)!];
    lines.push(
      `Server CPU per delivered event was lowest for ${phaseLabel(low, repeats)} (${formatDurationUs(low.metrics['server.cpu_us_per_event'])}) and highest for ${phaseLabel(high, repeats)} (${formatDurationUs(high.metrics['server.cpu_us_per_event'])}).`,
    );
  }
  const faults = renderFaultVerdict(result, repeats);
  if (faults !== undefined) lines.push(faults);
  const saturated = measured.filter((p) => p.generatorSaturated);
  if (saturated.length > 0) lines.push(`Careful: the load generator saturated during ${saturated.map((p) => phaseLabel(p, repeats)).join(', ')}, so those latencies are inflated by rtbench itself.`);
  const recommendation = recommend(result);
  if (recommendation !== undefined) lines.push(recommendation);
  return `${lines.join('\n')}\n`;
}

export function warningsOf(result: RunResult): string[] {
  const repeats = repeatsOf(result);
  return result.phases.flatMap((p: PhaseResult) => p.warnings.map((w) => `${phaseLabel(p, repeats)}: ${w}`));
}

/** HTTP/2 subscribers share connections (streamsPerConnection): "over 2 connections for 200 clients", or undefined when each client had its own. */
function sharedConnections(m: PhaseResult['metrics']): string | undefined {
  if (m.connections === null || m.connected === null || m.connections >= m.connected) return undefined;
  return `over ${formatCount(m.connections)} connection${m.connections === 1 ? '' : 's'} for ${formatCount(m.connected)} clients`;
}
