import { formatMetric, formatMetricChange, formatRelativeChange } from '../metrics/metric-text.js';
import { noiseCell } from './noise-text.js';
import type { ComparedRun, Comparison, NoiseJudgement, ResultRef, Verdict } from './types.js';

/** Column titles of the comparison table; the numeric ones (2–5) align right. */
export const COMPARISON_HEAD = ['phase', 'metric', 'baseline', 'candidate', 'change', 'change %', 'verdict', 'noise'] as const;
export const NUMERIC_COLUMNS: ReadonlySet<number> = new Set([2, 3, 4, 5]);

export const VERDICT_TEXT: Record<Verdict, string> = {
  improved: 'improved',
  regressed: 'regressed',
  'within-noise': 'within noise',
  changed: 'changed',
  unchanged: 'unchanged',
  unknown: '–',
};

export interface ComparisonRow {
  readonly verdict: Verdict;
  /** Text cells in COMPARISON_HEAD order; the phase cell only on a phase's first row. */
  readonly cells: readonly string[];
}

/** The rows of one candidate's table, as text: shared by the terminal and Markdown renderers. */
export function comparisonRows(run: ComparedRun): ComparisonRow[] {
  return run.phases.flatMap((phase) => {
    const runs = phase.baselineRuns > 1 || phase.candidateRuns > 1 ? ` (${phase.baselineRuns} vs ${phase.candidateRuns} runs)` : '';
    const label = `${phase.key}${runs}${phase.incomplete ? ' (partial)' : ''}`;
    return phase.metrics.map((m, i) => ({
      verdict: m.verdict,
      cells: [
        i === 0 ? label : '',
        m.metric,
        formatMetric(m.metric, m.baseline),
        formatMetric(m.metric, m.candidate),
        formatMetricChange(m.metric, m.delta),
        m.relative === null ? (m.delta === null ? '–' : 'from 0') : formatRelativeChange(m.relative),
        VERDICT_TEXT[m.verdict],
        noiseCell(m.noise),
      ],
    }));
  });
}

/** "a.json (started 2025-…, 2 runs, partial)". */
export function describeRef(ref: ResultRef): string {
  return `${ref.file} ${refDetail(ref)}`;
}

/** "(started 2025-…, 2 runs, partial)". */
export function refDetail(ref: ResultRef): string {
  return `(started ${ref.startedAt}, ${ref.repeats === 1 ? '1 run' : `${ref.repeats} runs`}${ref.status === 'partial' ? ', partial' : ''})`;
}

/** "1 regressed, 2 improved, 17 unchanged or within noise" over a candidate's rows. */
export function summariseVerdicts(run: ComparedRun): string {
  const all = run.phases.flatMap((p) => p.metrics.map((m) => m.verdict));
  const count = (v: Verdict): number => all.filter((x) => x === v).length;
  const parts = [`${count('regressed')} regressed`, `${count('improved')} improved`];
  const quiet = count('unchanged') + count('within-noise');
  if (quiet > 0) parts.push(`${quiet} unchanged or within noise`);
  if (count('changed') > 0) parts.push(`${count('changed')} changed (no better direction, or no noise estimate)`);
  if (count('unknown') > 0) parts.push(`${count('unknown')} not measured on one side`);
  return parts.join(', ');
}

/** Which noise methods a comparison used anywhere. */
export function noiseMethods(comparison: Comparison): Set<NoiseJudgement['method']> {
  return new Set(comparison.runs.flatMap((r) => r.phases.flatMap((p) => p.metrics.flatMap((m) => (m.noise ? [m.noise.method] : [])))));
}
