import type { MetricName } from '../metrics/catalog.js';

/** The comparison operators of the threshold grammar (docs/thresholds.md). */
export const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const;

export type Comparator = (typeof COMPARATORS)[number];

/**
 * A run threshold, `<selector>.<metric> <op> <value>`: the condition that must hold for the
 * run to pass, checked against every phase the selector matches.
 */
export interface Threshold {
  /** As written (trimmed), for messages and reports. */
  readonly expression: string;
  /** `*` (every phase), a transport name, or a phase key such as `polling@1s` or `sse[clients=500]`. */
  readonly selector: string;
  readonly metric: MetricName;
  readonly op: Comparator;
  /** The limit in the metric's catalogue unit (µs, bytes, fraction, …). */
  readonly limit: number;
  /** The limit as written, e.g. "50ms". */
  readonly limitText: string;
}

/**
 * A relative check for `compare --fail-on`, `[<selector>.]<metric> <op> <signed change>`: the
 * *failing* condition, stated as a change from the baseline to the candidate.
 */
export interface RelativeCheck {
  readonly expression: string;
  readonly selector: string;
  readonly metric: MetricName;
  readonly op: Comparator;
  /** `relative`: (candidate − baseline) / baseline, +10% = 0.1. `absolute`: candidate − baseline in the metric's unit. */
  readonly change: { readonly kind: 'relative' | 'absolute'; readonly value: number };
  /** The change as written, e.g. "+10%". */
  readonly changeText: string;
}

/** Where an expression came from, as its error messages name it. */
export type ExpressionSource = 'threshold' | '--fail-on';
