import { isIP } from 'node:net';
import type { RunConfig } from '../config/types.js';
import { rtbError } from '../errors.js';
import { processCount } from '../runner/client-processes.js';
import { mostClientsHeld, planPhases } from '../runner/plan.js';
import { stripBrackets } from '../protocol/host.js';
import { checkRunId, defaultRunId, parseShardFlag, type ShardSpec } from './shard-spec.js';
import { checkPortCapacity, defaultSourceAddresses, parseSourceAddresses } from './source-addresses.js';

export interface ShardFlags {
  /** `--shard i/N` */
  shard?: string;
  runId?: string;
  /** `--source-addresses a,b,…` */
  sourceAddresses?: string;
  /** `--processes N` (already an integer ≥ 1). */
  processes?: number;
}

/**
 * The run flags of issue 13 applied to a loaded config: the shard, its run id, the client
 * processes and the clients' source addresses, every inconsistency refused before anything runs with one
 * RTB_ERR_USAGE line naming the flag (exit 2), and more clients than the source addresses'
 * ports can hold with RTB_ERR_FD_LIMIT (exit 3).
 */
export function applyShardFlags(config: RunConfig, flags: ShardFlags): RunConfig {
  let shard: ShardSpec | undefined;
  if (flags.shard !== undefined) {
    const { index, count } = parseShardFlag(flags.shard);
    if (config.target === undefined) {
      throw rtbError('RTB_ERR_USAGE', '--shard: every shard must load the same server; start one (rtbench server, or yours) and give its URL with --target');
    }
    for (const plan of planPhases(config)) {
      // Rooms are split whole (plan.ts sliceOf): each shard needs a room of its own.
      if (config.workload.pattern === 'rooms' && plan.topics < count) {
        throw rtbError('RTB_ERR_USAGE', `--shard ${index}/${count}: phase ${plan.key} has ${plan.topics} room${plan.topics === 1 ? '' : 's'} (${plan.clients} clients in rooms of ${config.workload.roomSize}); rooms are split whole, so each of ${count} shards needs at least one`);
      }
      if (plan.clients < count) throw rtbError('RTB_ERR_USAGE', `--shard ${index}/${count}: phase ${plan.key} has ${plan.clients} clients; each of ${count} shards needs at least one`);
    }
    shard = { index, count, runId: flags.runId !== undefined ? checkRunId(flags.runId) : defaultRunId(config.scenario.name, config.seed, count) };
  } else if (flags.runId !== undefined) {
    throw rtbError('RTB_ERR_USAGE', '--run-id: names the run its shards share; give it with --shard i/N');
  }
  const withShard: RunConfig = shard !== undefined ? { ...config, shard } : config;
  const sharded: RunConfig = flags.processes !== undefined ? { ...withShard, processes: flags.processes } : withShard;
  const maxClients = mostClientsHeld(sharded);
  const host = config.target !== undefined ? stripBrackets(new URL(config.target).hostname) : '127.0.0.1';
  const addresses = flags.sourceAddresses !== undefined ? parseSourceAddresses(flags.sourceAddresses, isIP(host) !== 0 ? host : undefined) : defaultSourceAddresses(host, maxClients, shard, processCount(sharded.processes, maxClients));
  checkPortCapacity(maxClients, addresses);
  return addresses !== undefined ? { ...sharded, sourceAddresses: addresses } : sharded;
}
