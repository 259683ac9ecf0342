import { rtbError } from '../errors.js';
import type { RunResult } from '../result/types.js';

export interface LoadedResult {
  /** The path as given, for messages. */
  readonly file: string;
  readonly result: RunResult;
}

/** Config fields that differ between two runs without making them unfair to compare. */
const IGNORED_CONFIG = new Set(['scenario', 'thresholds', 'repeat', 'serverPid']);

/**
 * Results of different scenarios measure different workloads: RTB_ERR_RESULT_MISMATCH.
 * A different configuration, machine or rtbench version is allowed but returned as
 * warnings, so the reader knows what else changed.
 */
export function checkComparable(baseline: LoadedResult, candidate: LoadedResult): string[] {
  const [a, b] = [baseline.result, candidate.result];
  if (a.scenario.name !== b.scenario.name) {
    throw rtbError(
      'RTB_ERR_RESULT_MISMATCH',
      `${candidate.file} comes from scenario "${b.scenario.name}" but the baseline ${baseline.file} from "${a.scenario.name}"; compare results of the same scenario`,
    );
  }
  const warnings: string[] = [];
  const config = differences(a.config, b.config, '', IGNORED_CONFIG);
  if (config.length > 0) warnings.push(`${candidate.file} ran with a different configuration: ${config.join('; ')}`);
  const target = differences(a.target, b.target, 'target.', new Set(['serverPid']));
  if (target.length > 0) warnings.push(`${candidate.file} ran against another server: ${target.join('; ')}`);
  const environment = differences(
    { node: a.environment.node, cpus: a.environment.cpus, cpuModel: a.environment.cpuModel, platform: a.environment.platform },
    { node: b.environment.node, cpus: b.environment.cpus, cpuModel: b.environment.cpuModel, platform: b.environment.platform },
    '',
    new Set(),
  );
  if (environment.length > 0) warnings.push(`${candidate.file} ran on another machine or Node.js: ${environment.join('; ')}`);
  // Results from before the field was recorded ran the reference clients.
  const clientA = a.environment.client ?? 'reference';
  const clientB = b.environment.client ?? 'reference';
  if (clientA !== clientB) warnings.push(`${candidate.file} was measured with the ${clientB} clients, the baseline with the ${clientA} clients (--client)`);
  if (a.tool.version !== b.tool.version) warnings.push(`${candidate.file} was made by rtbench ${b.tool.version}, the baseline by ${a.tool.version}`);
  if (b.status === 'partial') warnings.push(`${candidate.file} is a partial result (${b.interruption?.message ?? 'interrupted'})`);
  if (a.status === 'partial') warnings.push(`the baseline ${baseline.file} is a partial result (${a.interruption?.message ?? 'interrupted'})`);
  return warnings;
}

/** "clients.count 10 → 20" for every leaf that differs; arrays compare whole. */
function differences(a: unknown, b: unknown, prefix: string, ignored: ReadonlySet<string>): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !ignored.has(k));
    return keys.flatMap((k) => differences(a[k], b[k], `${prefix}${k}.`, new Set()));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [`${prefix.slice(0, -1)} ${show(a)} → ${show(b)}`];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}
