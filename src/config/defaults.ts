import { availableParallelism } from 'node:os';
import { DEFAULT_LONG_POLL_TIMEOUT_MS } from '../protocol/routes.js';
import { durationLabel } from '../units.js';

/** Every default of a scenario, in one place, in the scenario file's own terms. */
export const SCENARIO_DEFAULTS = Object.freeze({
  workload: Object.freeze({ topics: 1, rate: 10, upstreamRate: 0.5, roomSize: 10, arrival: 'poisson', payloadBytes: 64 }),
  clients: Object.freeze({ count: 100, connectRate: 1000 }),
  duration: '10s',
  warmup: '2s',
  drain: 'auto',
  seed: 1,
  transports: Object.freeze({ polling: Object.freeze({ interval: '1s' }), 'long-polling': Object.freeze({ timeout: durationLabel(DEFAULT_LONG_POLL_TIMEOUT_MS * 1000) }), sse: Object.freeze({ client: 'fast' }) }),
});

/** Extra time allowed after publishing stops, on top of the slowest polling interval. */
export const DRAIN_MARGIN_US = 2_000_000;

/** Scenario `rtbench run` uses without an argument. */
export const DEFAULT_SCENARIO_NAME = 'default';

/**
 * Client worker threads: one core is left to the server and the publisher (on a 2-core
 * machine that means one worker), and more than 8 rarely helps one generator process.
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}
