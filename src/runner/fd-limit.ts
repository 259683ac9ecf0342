import { readFileSync } from 'node:fs';
import type { RunConfig } from '../config/types.js';
import { rtbError } from '../errors.js';
import { mostClientsHeld } from './plan.js';
import { processCount } from './client-processes.js';

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
 * generator holds one per client (two for HTTP clients that also publish in rooms), spread
 * over its client processes (--processes), each within this limit — a forked child has the
 * same limits as rtbench. The message says what to change: more processes when the hard
 * limit is the wall, else `ulimit -n`.
 */
export function checkOpenFileLimit(config: RunConfig): void {
  const limits = openFileLimits();
  if (limits === undefined) return;
  const [soft, hard] = limits;
  const maxClients = mostClientsHeld(config);
  const httpPublishers = config.workload.pattern === 'rooms' && config.transports.some((t) => t.transport !== 'ws');
  const filesPerClient = httpPublishers ? 2 : 1;
  const processes = processCount(config.processes, maxClients);
  const needed = Math.ceil(maxClients / processes) * filesPerClient + OVERHEAD;
  if (needed <= soft) {
    checkReferenceServer(config, maxClients, soft, hard);
    return;
  }
  const enough = Math.ceil((maxClients * filesPerClient) / Math.max(1, Math.min(soft, hard) - OVERHEAD));
  const moreProcesses = hard > OVERHEAD && enough <= maxClients ? `give "--processes ${enough}" (each process has a limit of its own)` : undefined;
  const raise =
    needed <= hard
      ? `raise it with "ulimit -n ${needed}" before running rtbench`
      : `the hard limit is ${hard}, so raise that first (/etc/security/limits.conf, or LimitNOFILE for a service), then "ulimit -n ${needed}"`;
  const who = processes === 1 ? `${maxClients} clients need about ${needed} open files` : `${maxClients} clients in ${processes} processes need about ${needed} open files each`;
  throw rtbError(
    'RTB_ERR_FD_LIMIT',
    `${who}, but a process may open ${soft} (ulimit -n); ${needed <= hard || moreProcesses === undefined ? raise : moreProcesses}${moreProcesses !== undefined && needed <= hard ? `, or ${moreProcesses}` : ''} — or run fewer clients`,
  );
}

/** Most processes the reference server runs as (server.processes, `rtbench server --processes`). */
const MAX_SERVER_PROCESSES = 64;

/**
 * The reference server holds one file per connection in whichever of its processes
 * (server.processes, default 1) the connection landed on — node:cluster deals them out in
 * turn, so each holds about its share — and a run past that would fail midway: the server
 * stops accepting, publishes get no answer. Refused before anything runs instead, naming
 * the number of processes that would hold the clients.
 */
function checkReferenceServer(config: RunConfig, maxClients: number, soft: number, hard: number): void {
  if (config.target !== undefined) return;
  const processes = config.server.processes ?? 1;
  const needed = Math.ceil(maxClients / processes) + OVERHEAD;
  if (needed <= soft) return;
  const fix = needed <= hard ? `raise it with "ulimit -n ${needed}" before running rtbench, ` : '';
  const enough = Math.ceil(maxClients / Math.max(1, soft - OVERHEAD));
  const more = enough <= MAX_SERVER_PROCESSES ? `give it ${enough} processes (scenario server.processes: ${enough}, or --set server.processes=${enough}; for your own use, rtbench server --processes ${enough}), ` : '';
  const who = processes === 1 ? 'the reference server is one process' : `the reference server runs as ${processes} processes`;
  throw rtbError(
    'RTB_ERR_FD_LIMIT',
    `${who}: ${maxClients} clients need about ${needed} open files in ${processes === 1 ? 'it' : 'each'}, but a process may open ${soft} (ulimit -n); ${fix}${more}run at most ${(soft - OVERHEAD) * processes} clients against it, or give --target a server that can hold more (--processes spreads rtbench's clients, not its server)`,
  );
}
