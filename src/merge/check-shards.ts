import { rtbError } from '../errors.js';
import type { RunResult } from '../result/types.js';

export interface ShardInput {
  /** How the user named it (the file path), for messages. */
  readonly label: string;
  readonly result: RunResult;
}

/** Config keys that may differ between shards of one run: the slice itself and what each machine chose for itself. */
const PER_SHARD_KEYS = new Set(['shard', 'sourceAddresses', 'workers', 'serverPid']);

/**
 * Refuses, with one RTB_ERR_RESULT_MISMATCH line (exit 2), inputs that are not the N shards
 * of one run: a result that is not a shard, different scenarios, seeds, shard counts or run
 * ids, a configuration that differs in anything but the per-shard keys, a shard given twice
 * or missing. Returns the inputs ordered by shard index.
 */
export function checkShards(inputs: readonly ShardInput[]): ShardInput[] {
  if (inputs.length === 0) throw rtbError('RTB_ERR_USAGE', 'merge: give the shard results to merge');
  for (const { label, result } of inputs) {
    if (result.shard === undefined) throw rtbError('RTB_ERR_RESULT_MISMATCH', `${label} is not a shard result (it was not run with --shard i/N); merge combines the shards of one run`);
  }
  const [first] = inputs;
  const a = first.result;
  for (const input of inputs.slice(1)) {
    const b = input.result;
    const differ = (what: string, x: unknown, y: unknown): never => {
      throw rtbError('RTB_ERR_RESULT_MISMATCH', `${first.label} and ${input.label} are not shards of one run: ${what} ${JSON.stringify(x)} and ${JSON.stringify(y)}`);
    };
    if (a.scenario.name !== b.scenario.name) differ('different scenarios,', a.scenario.name, b.scenario.name);
    if (a.config.seed !== b.config.seed) differ('different seeds,', a.config.seed, b.config.seed);
    if (a.shard!.count !== b.shard!.count) differ('different shard counts,', a.shard!.count, b.shard!.count);
    if (a.shard!.runId !== b.shard!.runId) differ('different run ids,', a.shard!.runId, b.shard!.runId);
    const key = firstDifference(a.config, b.config, '');
    if (key !== undefined) differ(`different configurations (${key.path}):`, key.a, key.b);
  }
  const count = a.shard!.count;
  const byIndex = new Map<number, ShardInput>();
  for (const input of inputs) {
    const index = input.result.shard!.index;
    const other = byIndex.get(index);
    if (other !== undefined) throw rtbError('RTB_ERR_RESULT_MISMATCH', `shard ${index} of ${count} given twice: ${other.label} and ${input.label}`);
    byIndex.set(index, input);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw rtbError('RTB_ERR_RESULT_MISMATCH', `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing: merge needs every shard's result (got ${inputs.length})`);
  }
  return [...byIndex.entries()].sort((x, y) => x[0] - y[0]).map(([, input]) => input);
}

/** Where two shards' configurations differ (ignoring the per-shard keys), in words, or undefined when they agree. */
export function configDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  const found = firstDifference(a, b, '');
  return found === undefined ? undefined : `different configurations (${found.path}): ${JSON.stringify(found.a)} and ${JSON.stringify(found.b)}`;
}

/** The first path at which two configurations differ, ignoring the per-shard keys at the top. */
function firstDifference(a: unknown, b: unknown, path: string): { path: string; a: unknown; b: unknown } | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? undefined : { path: path || '(root)', a, b };
  if (Array.isArray(a) !== Array.isArray(b)) return { path, a, b };
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    if (path === '' && PER_SHARD_KEYS.has(key)) continue;
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}
