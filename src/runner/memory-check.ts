import { readFileSync } from 'node:fs';
import type { RunConfig } from '../config/types.js';
import { rtbError } from '../errors.js';
import { mostClientsHeld } from './plan.js';
import { processCount } from './client-processes.js';

/**
 * Memory per connection assumed before a run, above what `npm run bench` measured here (raw
 * clients: SSE 7.0 KiB, WebSocket 2.9 KiB; reference clients ≈ 20 KiB; the reference server
 * 13–19 KiB per SSE, WebSocket or long-poll connection), so the check refuses only runs that
 * cannot fit, never one that would.
 */
const GENERATOR_BYTES_PER_CLIENT = { raw: 12 * 1024, reference: 40 * 1024 } as const;
const SERVER_BYTES_PER_CONNECTION = 24 * 1024;
/** A Node process before its connections: runtime, code, worker threads' heaps. */
const BYTES_PER_PROCESS = 64 * 2 ** 20;

/** MemAvailable from /proc/meminfo (bytes), or undefined off Linux. */
export function availableMemoryBytes(): number | undefined {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface MemoryEstimate {
  readonly clients: number;
  readonly generatorBytes: number;
  /** 0 when the server is not rtbench's (--target): its memory is not on this budget. */
  readonly serverBytes: number;
}

/** What the planned run will hold in memory on this machine at its largest phase. */
export function estimateMemory(config: RunConfig, client: 'raw' | 'reference'): MemoryEstimate {
  const clients = mostClientsHeld(config);
  const generatorBytes = processCount(config.processes, clients) * BYTES_PER_PROCESS + clients * GENERATOR_BYTES_PER_CLIENT[client];
  const serverProcesses = config.server.processes ?? 1;
  const serverBytes = config.target === undefined ? serverProcesses * BYTES_PER_PROCESS + clients * SERVER_BYTES_PER_CONNECTION : 0;
  return { clients, generatorBytes, serverBytes };
}

const mib = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`);

/**
 * Refuses, before anything runs, a run whose connections would not fit in the memory this
 * machine has available (RTB_ERR_MEMORY, exit 3), naming the estimate and what to change.
 */
export function checkMemory(config: RunConfig, client: 'raw' | 'reference', available = availableMemoryBytes()): void {
  if (available === undefined) return;
  const estimate = estimateMemory(config, client);
  const needed = estimate.generatorBytes + estimate.serverBytes;
  if (needed <= available) return;
  const parts = [`rtbench's clients about ${mib(estimate.generatorBytes)}`, ...(estimate.serverBytes > 0 ? [`the reference server about ${mib(estimate.serverBytes)}`] : [])];
  const fits = Math.floor((available / needed) * estimate.clients);
  throw rtbError(
    'RTB_ERR_MEMORY',
    `${estimate.clients} clients need about ${mib(needed)} of memory (${parts.join(', ')}), but this machine has ${mib(available)} available; run at most about ${fits} clients here, or split the run over machines with --shard i/N${estimate.serverBytes > 0 ? ' and a --target server of its own' : ''}`,
  );
}
