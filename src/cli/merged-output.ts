import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import { ExitCode, type ExitCodeValue, type RtbError } from '../errors.js';
import { renderResultTable } from '../report/table.js';
import { renderVerdict } from '../report/verdict.js';
import type { RunResult } from '../result/types.js';
import { writeResult } from '../result/write-result.js';
import { evaluateThresholds } from '../thresholds/evaluate-thresholds.js';
import { parseThresholds, type Threshold } from '../thresholds/grammar.js';
import { colorEnabled } from './color.js';

export interface MergedOutputFlags {
  out?: string;
  json: boolean;
  color: boolean;
  /** false: the shards' own thresholds are not judged again. */
  thresholds: boolean;
}

/**
 * The end of `merge` and `coordinate`: judge the shards' thresholds (and `extra`) again on
 * the merged result (a shard saw only its slice), write it, print the table or the JSON, and
 * return the exit code — 4 when a phase failed on some shard, 99 when a threshold failed.
 * `failure`: why the run already failed (a coordinator's); it is then the one line printed.
 */
export async function finishMerged(result: RunResult, shards: readonly RunResult[], extra: readonly Threshold[], flags: MergedOutputFlags, failure?: RtbError): Promise<ExitCodeValue> {
  const fromShards = flags.thresholds ? [...new Set(shards.flatMap((s) => (s.thresholds ?? []).map((t) => t.expression)))] : [];
  const thresholds = [...parseThresholds(fromShards), ...extra.filter((t) => !fromShards.includes(t.expression))];
  if (thresholds.length > 0) result.thresholds = evaluateThresholds(thresholds, result);
  const stamp = result.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const path = flags.out ?? join('results', `${stamp}-${result.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-merged.json`);
  await writeResult(path, result);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  } else {
    process.stdout.write(`Merged ${result.merged!.shardCount} shards of ${result.scenario.name} (run ${result.merged!.runId}).\n`);
    if (result.phases.length > 0) process.stdout.write(`\n${renderResultTable(result, { color: colorEnabled(process.stdout, flags.color) })}\n${renderVerdict(result)}`);
    if (result.thresholds !== undefined) {
      const passed = result.thresholds.filter((o) => o.ok).length;
      process.stdout.write(`\nThresholds: ${passed} of ${result.thresholds.length} passed\n${result.thresholds.map((o) => `  ${o.ok ? '✓' : '✗'} ${o.expression} — ${o.message}\n`).join('')}`);
    }
    process.stdout.write(`\nResult: ${displayPath(path)}\n`);
  }
  if (failure !== undefined) {
    process.stderr.write(`rtbench: ${failure.message} (merged result of what was measured: ${displayPath(path)})\n`);
    return failure.exitCode;
  }
  const failedPhase = result.phases.find((p) => p.status === 'failed');
  if (failedPhase !== undefined) {
    process.stderr.write(`rtbench: phase ${failedPhase.key} failed: ${failedPhase.error ?? 'see the result'}\n`);
    return ExitCode.runFailed;
  }
  const failedChecks = (result.thresholds ?? []).filter((o) => !o.ok);
  if (failedChecks.length > 0) {
    process.stderr.write(`rtbench: ${failedChecks.length} of ${result.thresholds!.length} threshold checks failed: ${failedChecks.map((o) => o.message).join('; ')}\n`);
    return ExitCode.thresholdsFailed;
  }
  return ExitCode.ok;
}
