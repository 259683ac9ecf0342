import { formatBytes, formatDurationUs, formatRatio } from '../format.js';
import type { PhaseResult, RunResult } from '../result/types.js';
import { phaseLabel, repeatsOf } from '../result/phase-label.js';

/** A transport is "as fast as the fastest" when its p99 is within this factor, or this many µs, of the best. */
const FAST_FACTOR = 2;
const FAST_SLACK_US = 10_000;
/** Costs within this share of each other are a tie, decided by the workload. */
const TIE = 0.1;

/**
 * Which transport to choose for the workload that was run, and why, in its own numbers —
 * never fixed text. Only phases that completed and lost nothing are candidates; among those
 * whose p99 is close to the fastest, the one costing the server least per event wins (bytes
 * per event when server CPU is unknown). Near-ties go by the workload: with clients
 * publishing (rooms) the WebSocket, which publishes on the connection it already holds;
 * otherwise SSE, which resumes by itself with Last-Event-ID over plain HTTP. Then what would
 * change the choice. Undefined when nothing qualifies to be recommended.
 */
export function recommend(result: RunResult): string | undefined {
  const repeats = repeatsOf(result);
  const candidates = result.phases.filter((p) => p.status === 'complete' && p.metrics.lost === 0 && (p.metrics.delivered ?? 0) > 0 && p.metrics['latency.p99'] !== null);
  if (candidates.length === 0) {
    return result.phases.length > 0 ? 'Recommendation: none — no transport delivered everything it owed in this run; look at the losses above first.' : undefined;
  }
  const p99 = (p: PhaseResult): number => p.metrics['latency.p99']!;
  const bestP99 = Math.min(...candidates.map(p99));
  const fast = candidates.filter((p) => p99(p) <= Math.max(bestP99 * FAST_FACTOR, bestP99 + FAST_SLACK_US));
  const cpuKnown = fast.every((p) => p.metrics['server.cpu_us_per_event'] !== null);
  const cost = (p: PhaseResult): number => (cpuKnown ? p.metrics['server.cpu_us_per_event']! : (p.metrics.bytes_per_event ?? Number.POSITIVE_INFINITY));
  const cheapest = Math.min(...fast.map(cost));
  const tied = fast.filter((p) => cost(p) <= cheapest * (1 + TIE));
  const rooms = result.phases[0]?.params.pattern === 'rooms';
  const preferred = rooms ? 'ws' : 'sse';
  const winner = tied.find((p) => p.transport === preferred) ?? tied.sort((a, b) => cost(a) - cost(b))[0];
  const name = (p: PhaseResult): string => phaseLabel(p, repeats);
  const costText = (p: PhaseResult): string =>
    `${p.metrics['server.cpu_us_per_event'] !== null ? `${formatDurationUs(p.metrics['server.cpu_us_per_event'])} server CPU and ` : ''}${formatBytes(p.metrics.bytes_per_event)} per event`;

  const runnerUp = fast.filter((p) => p !== winner).sort((a, b) => cost(a) - cost(b))[0];
  const among = candidates.length < result.phases.length ? ' of those that delivered everything' : '';
  const why: string[] = [`p99 ${formatDurationUs(p99(winner))}${p99(winner) === bestP99 ? ` (the fastest${among})` : ` (fastest${among}: ${formatDurationUs(bestP99)})`}`, costText(winner)];
  if (runnerUp !== undefined) why.push(`against ${name(runnerUp)}'s ${costText(runnerUp)}`);
  if (winner.transport === 'sse') why.push('and it resumes by itself after a cut (Last-Event-ID)');
  if (winner.transport === 'ws' && rooms) why.push(`and clients publish on the socket they hold (${formatBytes(winner.metrics.bytes_up_per_event)} up per event)`);
  const lines = [`Recommendation for this workload: ${name(winner)} — ${why.join(', ')}.`];

  // What would change it, from the other candidates' own figures.
  const changes: string[] = [];
  if (winner.transport !== 'ws' && !rooms && fast.some((p) => p.transport === 'ws')) changes.push('choose WebSocket if clients publish often (chat, games), since it sends upstream on the connection it holds');
  if (winner.transport === 'ws' && rooms && fast.some((p) => p.transport === 'sse')) changes.push('choose SSE if clients rarely publish, since it resumes by itself over plain HTTP');
  const polling = candidates.filter((p) => p.transport === 'polling' && !fast.includes(p)).sort((a, b) => (a.metrics.requests_per_event ?? Infinity) - (b.metrics.requests_per_event ?? Infinity))[0];
  if (polling !== undefined) {
    changes.push(`if a median staleness of ${formatDurationUs(polling.metrics['latency.p50'])} is acceptable, ${name(polling)} needs no held connection at ${formatRatio(polling.metrics.requests_per_event)} requests per event`);
  }
  const excluded = result.phases.filter((p) => !candidates.includes(p));
  if (excluded.length > 0) changes.push(`${excluded.map(name).join(', ')} ${excluded.length === 1 ? 'was' : 'were'} not considered: ${excluded.length === 1 ? 'it' : 'they'} lost events or did not complete`);
  if (changes.length > 0) lines.push(`What would change it: ${changes.join('; ')}.`);
  return lines.join('\n');
}
