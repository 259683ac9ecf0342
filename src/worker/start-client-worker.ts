import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './messages.js';

const WORKER_ENTRY = fileURLToPath(new URL('./client-worker.js', import.meta.url));

/**
 * The young generation of a client thread's V8 heap, in MiB (new space = 2/3 of it).
 * Why bounded: left to V8, connecting thousands of clients grows the new space to its 32 MiB
 * maximum (objects of connects in flight survive scavenges, and V8 grows the space when many
 * survive), which showed as ~6 KiB of RSS per connection between 200 and 3000 clients and
 * stays for the run. The clients' hot paths allocate next to nothing per message, so smaller
 * scavenges cost nothing measurable: messages per CPU-second were the same with 12 MiB and
 * with V8's default, side by side (npm run bench -- --only efficiency).
 */
const YOUNG_GENERATION_MB = 12;

/** Starts one client thread (client-worker.ts) with `init`. */
export function startClientWorker(init: WorkerInit): Worker {
  return new Worker(WORKER_ENTRY, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}
