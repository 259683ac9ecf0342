import { mean, sampleVariance } from 'simple-statistics';
import { studentTTwoSidedP } from './student-t.js';

export interface WelchResult {
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided. */
  readonly pValue: number;
}

/**
 * Welch's t-test for a difference of means without assuming equal variances. Each sample
 * needs ≥ 2 values. When neither side varies at all (a deterministic figure), the answer is
 * certain: p = 1 for equal means, 0 otherwise.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult {
  const [ma, mb] = [mean([...a]), mean([...b])];
  const va = sampleVariance([...a]) / a.length;
  const vb = sampleVariance([...b]) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { t: ma === mb ? 0 : Math.sign(mb - ma) * Infinity, df: a.length + b.length - 2, pValue: ma === mb ? 1 : 0 };
  const t = (mb - ma) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, pValue: studentTTwoSidedP(t, df) };
}
