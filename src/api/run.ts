import { loadRunConfig } from '../config/load.js';
import { parseTargetUrl } from '../config/target-url.js';
import { rtbError } from '../errors.js';
import type { PhaseResult, RunResult } from '../result/types.js';
import { planPhases } from '../runner/plan.js';
import type { ProgressListener } from '../runner/progress.js';
import { runBenchmark } from '../runner/run.js';
import { evaluateThresholds } from '../thresholds/evaluate-thresholds.js';
import { selectRunThresholds } from '../thresholds/run-thresholds.js';
import { loadScenarioObject } from './load-scenario-object.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import { overridesAsFlags, type ScenarioOverrides } from './scenario-overrides.js';

export interface RunOptions {
  /** Scenario fields to change, named as `rtbench run`'s flags: `{ clients: 500, duration: '20s' }`. */
  readonly overrides?: ScenarioOverrides;
  /** Your server's base URL (loopback unless `allowRemote`); without it each phase starts a reference server. */
  readonly target?: string;
  /** How to talk to `target`: 'rtbench' (the default), 'nchan', 'socket.io', or a profile file path. */
  readonly profile?: string;
  /** With `target`: read the server's CPU and memory from /proc/<pid>. */
  readonly serverPid?: number;
  /** Allow a `target` that is not on loopback (only servers you may load). Default false. */
  readonly allowRemote?: boolean;
  /** Run every phase this many times, 1 … 100 (compare uses the spread). Default 1. */
  readonly repeat?: number;
  /** Threshold expressions checked at the end, besides the scenario's own: 'sse.latency.p99 < 50ms'. */
  readonly thresholds?: readonly string[];
  /** false: skip the scenario's own thresholds (`--no-thresholds`). Default true. */
  readonly scenarioThresholds?: boolean;
  /** Aborting stops the current phase, skips the rest and returns a partial result. */
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  readonly onPhaseDone?: (phase: PhaseResult) => void;
  /** What the CLI prints as a note on stderr: a scenario threshold skipped, an option that is ignored. Default: dropped. */
  readonly onNote?: (message: string) => void;
}

/**
 * `rtbench run` without the printing: loads a built-in scenario by name, a YAML file by
 * path, or a scenario value; applies the overrides; checks the thresholds before anything
 * runs; runs every phase; evaluates the thresholds; returns the result (it writes no file).
 *
 * Bad input (scenario, override, threshold, target URL) and a machine or target that cannot
 * run at all throw an RtbError with a stable `code`, before anything runs. A run that stops
 * part-way (aborted, a server died, a phase failed) resolves with `status: 'partial'` and
 * `interruption`; failed thresholds are outcomes with `ok: false` in `result.thresholds`.
 */
export async function run(scenario: string | ScenarioDefinition = 'default', options: RunOptions = {}): Promise<RunResult> {
  const allowRemote = options.allowRemote ?? false;
  const selection = {
    flags: overridesAsFlags(options.overrides ?? {}),
    target: {
      target: options.target !== undefined ? parseTargetUrl(options.target, allowRemote) : undefined,
      profile: options.profile,
      serverPid: options.serverPid === undefined ? undefined : integerIn('serverPid', options.serverPid, 1, 2_147_483_647),
      allowRemote,
    },
    repeat: integerIn('repeat', options.repeat ?? 1, 1, 100),
  };
  const config = typeof scenario === 'string' ? loadRunConfig({ scenario, ...selection }) : loadScenarioObject(scenario, selection);
  const note = options.onNote ?? ((): void => {});
  const { checked, skipped } = selectRunThresholds(
    options.scenarioThresholds === false ? [] : config.thresholds,
    options.thresholds ?? [],
    planPhases(config).map((p) => p.key),
    config.transports.map((t) => t.transport),
  );
  for (const { threshold, reason } of skipped) note(`skipping the scenario's threshold "${threshold.expression}": ${reason}`);
  if (options.serverPid !== undefined && config.target === undefined) note('serverPid is ignored without a target (the reference server reports its own load)');

  const { result } = await runBenchmark(config, {
    signal: options.signal ?? new AbortController().signal,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onPhaseDone ? { onPhaseDone: options.onPhaseDone } : {}),
  });
  if (checked.length > 0) result.thresholds = evaluateThresholds(checked, result);
  return result;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw rtbError('RTB_ERR_USAGE', `${name}: expected an integer from ${min} to ${max}; found ${String(value)}`);
  return value;
}
