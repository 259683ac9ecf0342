import type { Transport } from '../../protocol/transports.js';
import type { PhaseResult, RunResult } from '../../result/types.js';
import { phaseLabel, repeatsOf } from '../../result/phase-label.js';
import { seriesStyle, type SeriesStyle } from './series-style.js';

/** A phase as the report shows it: which file it came from, its label, and its colour. */
export interface ReportPhase {
  /** Unique in the report, safe in an element id: "f0p3". */
  readonly id: string;
  readonly fileIndex: number;
  readonly fileLabel: string;
  /** "polling@1s", "sse #2"; prefixed "<file> · " when the report holds several files. */
  readonly label: string;
  readonly phase: PhaseResult;
  readonly style: SeriesStyle;
}

/**
 * Every phase of every result, in file order then run order. `fileLabels[i]` names result i
 * (default "run 1", "run 2", …); labels are prefixed with it only when there are several files.
 */
export function reportPhases(results: readonly RunResult[], fileLabels: readonly string[]): ReportPhase[] {
  const several = results.length > 1;
  return results.flatMap((result, fileIndex) => {
    const repeats = repeatsOf(result);
    const shadeCount = new Map<Transport, number>();
    for (const p of result.phases) shadeCount.set(p.transport, (shadeCount.get(p.transport) ?? 0) + 1);
    const shadeNext = new Map<Transport, number>();
    return result.phases.map((phase, i) => {
      const shade = shadeNext.get(phase.transport) ?? 0;
      shadeNext.set(phase.transport, shade + 1);
      const label = phaseLabel(phase, repeats);
      return {
        id: `f${fileIndex}p${i}`,
        fileIndex,
        fileLabel: fileLabels[fileIndex],
        label: several ? `${fileLabels[fileIndex]} · ${label}` : label,
        phase,
        style: seriesStyle(phase.transport, fileIndex, shade, shadeCount.get(phase.transport)),
      };
    });
  });
}

/**
 * Names for the result files: the given labels where usable, else "run N". Duplicates get
 * " (2)", " (3)" so phases of different files never share a label.
 */
export function fileLabels(count: number, given: readonly string[] = []): string[] {
  const seen = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const base = given[i]?.trim() || `run ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}
