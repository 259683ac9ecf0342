import { readFileSync } from 'node:fs';
import type { RunConfig } from '../config/types.js';
import { rtbError } from '../errors.js';
import { clientSlice } from '../shard/split.js';

/** File descriptors a process needs besides its clients' sockets (stdio, pipes, workers, publisher). */
const OVERHEAD = 200;

/** Open-file limits of this process: [soft, hard]. Node raises the soft limit to the hard one at start. */
export function openFileLimits(): [number, number] | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').split(/\s{2,}/).slice(1, 3);
    const parse = (v: string | undefined): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return line ? [parse(soft), parse(hard)] : undefined;
  } catch {
    return undefined; // not Linux
  }
}

/**
 * Refuses, before anything runs, a run whose clients cannot all hold a socket: the
 * generator holds one per client (two for HTTP clients that also publish in rooms) and
 * the reference server one per connection, each within this limit.
 */
export function checkOpenFileLimit(config: RunConfig): void {
  const limits = openFileLimits();
  if (limits === undefined) return;
  const [soft, hard] = limits;
  const allClients = Math.max(config.clients.count, ...(config.sweep?.param === 'clients' ? config.sweep.values : []));
  // A shard holds only its slice.
  const maxClients = config.shard !== undefined ? clientSlice(allClients, config.shard.index, config.shard.count).count : allClients;
  const httpPublishers = config.workload.pattern === 'rooms' && config.transports.some((t) => t.transport !== 'ws');
  const needed = maxClients * (httpPublishers ? 2 : 1) + OVERHEAD;
  if (needed <= soft) return;
  const fix =
    needed <= hard
      ? `raise it with "ulimit -n ${needed}" before running rtbench`
      : `the hard limit is ${hard}, so raise that first (/etc/security/limits.conf, or LimitNOFILE for a service), then "ulimit -n ${needed}"`;
  throw rtbError(
    'RTB_ERR_FD_LIMIT',
    `${maxClients} clients need about ${needed} open files, but this process may open ${soft} (ulimit -n); ${fix} — or run fewer clients`,
  );
}
