import { createHash } from 'node:crypto';
import { rtbError } from '../errors.js';

/** One slice of a sharded run (DESIGN §6): shard `index` of `count`, all against one target. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
  /**
   * Names the run on the shared server (its topics are `rtb-<runId>-<phase>-…`): every shard
   * of one run must use the same. Derived from the scenario, seed and shard count unless given.
   */
  readonly runId: string;
}

/** Most shards one run may have: far more machines than a benchmark needs, few enough to plan. */
export const MAX_SHARDS = 1000;

/**
 * `--shard i/N` → index and count. Throws RTB_ERR_USAGE naming the flag: not of the form
 * i/N, N outside 1…1000, or i ≥ N.
 */
export function parseShardFlag(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw rtbError('RTB_ERR_USAGE', `--shard: expected i/N, such as 0/3 (shard 0 of 3); found ${JSON.stringify(text)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw rtbError('RTB_ERR_USAGE', `--shard: expected a shard count N from 1 to ${MAX_SHARDS}; found ${count}`);
  if (index >= count) throw rtbError('RTB_ERR_USAGE', `--shard: the shard index must be below the count (0 … ${count - 1} for ${count} shards); found ${index}/${count}`);
  return { index, count };
}

/** `--run-id`: what topic names can carry ([A-Za-z0-9], at most 16). */
export function checkRunId(text: string): string {
  if (!/^[A-Za-z0-9]{1,16}$/.test(text)) throw rtbError('RTB_ERR_USAGE', `--run-id: expected 1 to 16 letters or digits; found ${JSON.stringify(text)}`);
  return text;
}

/** The run id every shard of one scenario, seed and shard count derives alike, without talking to the others. */
export function defaultRunId(scenarioName: string, seed: number, count: number): string {
  return createHash('sha256').update(`${scenarioName}\0${seed}\0${count}`).digest('hex').slice(0, 8);
}
