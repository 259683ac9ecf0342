import type { AnyMetricName } from '../metrics/latency-percentile.js';
import { formatMetric } from '../metrics/metric-text.js';
import type { QuantileInterval } from './quantile-interval.js';
import type { NoiseJudgement } from './types.js';

/** A table cell naming the method that judged the row: "beyond (intervals)", "within (t-test p=0.41)", "within (batch means p=0.3)"; "" without a judgement. */
export function noiseCell(noise: NoiseJudgement | undefined): string {
  if (noise === undefined) return '';
  const word = noise.beyondNoise ? 'beyond' : 'within';
  if (noise.method === 'welch-t-test') return `${word} (t-test p=${formatP(noise.pValue)})`;
  if (noise.method === 'batch-means') return `${word} (batch means p=${formatP(noise.pValue)})`;
  return `${word} (intervals)`;
}

/** The judgement in a sentence, with the method and its numbers. */
export function describeNoise(metric: AnyMetricName, noise: NoiseJudgement): string {
  const word = noise.beyondNoise ? 'beyond noise' : 'within noise';
  if (noise.method === 'welch-t-test') return `${word}: Welch's t-test over ${noise.baselineRuns} vs ${noise.candidateRuns} runs, p = ${formatP(noise.pValue)}`;
  if (noise.method === 'batch-means') return `${word}: Welch's t-test over ${noise.baselineBatches} vs ${noise.candidateBatches} batch means of the per-second series, p = ${formatP(noise.pValue)}`;
  const interval = (i: QuantileInterval): string => (i.high === null ? `≥ ${formatMetric(metric, i.low)} (too few events to bound it above)` : `${formatMetric(metric, i.low)}–${formatMetric(metric, i.high)}`);
  const jitter = noise.jitterUs === undefined ? '' : `; the runs' scheduling jitter (server loop delay p99, median second) was ${formatMetric(metric, noise.jitterUs)}`;
  return `${word}: 95% intervals ${interval(noise.baselineInterval)} vs ${interval(noise.candidateInterval)} ${noise.beyondNoise ? 'do not overlap' : 'overlap'}${jitter}`;
}

/** Notes explaining each noise method a comparison used, for the footer of a rendering. */
export function noiseMethodNotes(methods: ReadonlySet<NoiseJudgement['method']>): string[] {
  const notes: string[] = [];
  if (methods.has('quantile-interval')) {
    notes.push(
      'intervals: latency quantiles judged from the stored histograms: a 95% distribution-free confidence interval for each side (order statistics at exact binomial ranks around n·p, n = events published, not deliveries); beyond noise only when the two intervals do not overlap, the change exceeds the runs\' scheduling jitter (the larger median per-second p99 server loop delay) and, for p50 and p99, the batch means of their per-second series differ too. A high quantile of few events (p99 needs ≥ 368) cannot be bounded above and is never called beyond noise.',
    );
  }
  if (methods.has('welch-t-test')) notes.push("t-test: both sides were repeated (run --repeat), so the spread between runs decides: Welch's t-test on the per-run values, beyond noise when p < 0.05.");
  if (methods.has('batch-means')) notes.push("batch means: single runs' CPU, CPU per event and throughput judged by Welch's t-test over 2-second batch means of each window's per-second series; beyond noise when p < 0.05.");
  if (methods.has('batch-means') || methods.has('quantile-interval')) notes.push('Single runs see only within-run noise, and runs on a shared machine drift between them: without repeats a change under 10% (25% for CPU figures) is never called beyond noise.');
  notes.push('Deterministic metrics (rtbench metrics) have no noise; other figures of single runs without an estimate (latency.max, …) are marked "changed", never regressed: repeat the runs (--repeat 3) to judge them.');
  return notes;
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(p < 0.01 ? 3 : 2);
}
