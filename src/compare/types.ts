/**
 * The comparison of result files, as plain data: what `compare` renders as a table,
 * Markdown or JSON. The first file is the baseline; every other file is a candidate compared
 * with it. Values are in the metric catalogue's units.
 */
import type { AnyMetricName } from '../metrics/latency-percentile.js';
import type { Transport } from '../protocol/transports.js';
import type { QuantileInterval } from './quantile-interval.js';
import type { ThresholdOutcome } from '../result/types.js';

export interface Comparison {
  readonly scenario: string;
  readonly baseline: ResultRef;
  /** One per candidate file, in command-line order. */
  readonly runs: readonly ComparedRun[];
  /** The metrics shown, in order. */
  readonly metrics: readonly AnyMetricName[];
}

export interface ResultRef {
  /** The path as given on the command line. */
  readonly file: string;
  readonly startedAt: string;
  readonly status: 'complete' | 'partial';
  /** Repetitions in the file (`run --repeat N`): the largest phase repeat number. */
  readonly repeats: number;
}

export interface ComparedRun {
  readonly candidate: ResultRef;
  /** Differences that make the comparison less fair, in words (configuration, machine, tool version). */
  readonly warnings: readonly string[];
  /** Phases present in both files, matched by key (transport + variant + sweep value), in baseline order. */
  readonly phases: readonly PhaseComparison[];
  readonly onlyInBaseline: readonly string[];
  readonly onlyInCandidate: readonly string[];
  /** `--fail-on` outcomes; `actual` is the change (a fraction for `%` checks, else in the metric's unit). */
  readonly checks: readonly ThresholdOutcome[];
}

export interface PhaseComparison {
  readonly key: string;
  readonly transport: Transport;
  /** Phase results behind each side (repeats), and whether any of them is not complete. */
  readonly baselineRuns: number;
  readonly candidateRuns: number;
  readonly incomplete: boolean;
  readonly metrics: readonly MetricComparison[];
}

/**
 * - `improved` / `regressed`: changed in the catalogue's better / worse direction (and beyond
 *   noise where noise was judged);
 * - `within-noise`: changed, but not beyond the noise judgement;
 * - `changed`: a metric with no better direction changed, or one that machine noise can move
 *   but no noise estimate covers (latency.max of single runs): never called a regression;
 * - `unchanged`; `unknown`: a side has no value.
 */
export type Verdict = 'improved' | 'regressed' | 'within-noise' | 'changed' | 'unchanged' | 'unknown';

export interface MetricComparison {
  readonly metric: AnyMetricName;
  /** Mean over the side's repeats (null values left out); null when no repeat measured it. */
  readonly baseline: number | null;
  readonly candidate: number | null;
  /** candidate − baseline. */
  readonly delta: number | null;
  /** (candidate − baseline) / |baseline|; 0 when both are 0, null when only the baseline is 0. */
  readonly relative: number | null;
  readonly verdict: Verdict;
  /** Absent where no noise estimate applies (see noise.ts). */
  readonly noise?: NoiseJudgement;
}

export type NoiseJudgement =
  | {
      /** Welch's t-test over the per-repeat values: both sides have ≥ 2 repeats. */
      readonly method: 'welch-t-test';
      readonly beyondNoise: boolean;
      readonly pValue: number;
      readonly baselineRuns: number;
      readonly candidateRuns: number;
    }
  | {
      /**
       * Single runs: Welch's t-test over batch means of the window's per-second series (the
       * within-run spread stands in for the between-run one; batches of BATCH_SECONDS damp the
       * seconds' correlation). For CPU, CPU per event and throughput figures.
       */
      readonly method: 'batch-means';
      readonly beyondNoise: boolean;
      readonly pValue: number;
      readonly baselineBatches: number;
      readonly candidateBatches: number;
    }
  | {
      /** Distribution-free 95 % confidence intervals of the quantile, read from the stored histograms. */
      readonly method: 'quantile-interval';
      readonly beyondNoise: boolean;
      /** µs; `high` null: too few samples to bound the quantile from above. */
      readonly baselineInterval: QuantileInterval;
      readonly candidateInterval: QuantileInterval;
      /** The sample sizes the intervals were computed with (events, not deliveries: see quantile-interval.ts). */
      readonly baselineSamples: number;
      readonly candidateSamples: number;
      /** µs: the runs' scheduling jitter (median per-second server p99 loop delay); a smaller change is within noise. Absent when not recorded. */
      readonly jitterUs?: number;
    };
