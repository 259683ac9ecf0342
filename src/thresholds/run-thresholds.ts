import { parseThresholds, type Threshold } from './grammar.js';
import { checkSelectors, selectorMatchesAny } from './selectors.js';

export interface RunThresholds {
  /** What the run checks: the scenario's that can match a phase, then every `--threshold`. */
  readonly checked: Threshold[];
  /** The scenario's that match no planned phase (a transport left out with --transports), each with why. */
  readonly skipped: { readonly threshold: Threshold; readonly reason: string }[];
}

/**
 * The thresholds of one run, checked before anything runs. Every expression must parse. A
 * scenario's threshold whose selector matches no planned phase is skipped, not failed: the
 * scenario was written for all its transports and the user narrowed them. A `--threshold`
 * the user wrote for this run must match a phase (RTB_ERR_THRESHOLD_INVALID otherwise).
 */
export function selectRunThresholds(
  scenario: readonly string[],
  flags: readonly string[],
  phaseKeys: readonly string[],
  transports: readonly string[],
): RunThresholds {
  const fromScenario = parseThresholds(scenario);
  const fromFlags = parseThresholds(flags);
  checkSelectors(fromFlags, phaseKeys, transports);
  const keys = [...new Set(phaseKeys)];
  const checked: Threshold[] = [];
  const skipped: RunThresholds['skipped'][number][] = [];
  for (const threshold of fromScenario) {
    if (selectorMatchesAny(threshold.selector, keys, transports)) checked.push(threshold);
    else skipped.push({ threshold, reason: `selector "${threshold.selector}" matches none of the planned phases (${keys.join(', ')})` });
  }
  return { checked: [...checked, ...fromFlags], skipped };
}
