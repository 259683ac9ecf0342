/**
 * The coordinator's protocol (DESIGN §6): JSON text frames over one WebSocket per shard.
 *
 *   shard → coordinator: hello (once), ready (before each phase), second (every second), result (at the end)
 *   coordinator → shard: welcome | refused (answer to hello), go (a phase's absolute start), abort
 *
 * Start times are wall-clock epoch milliseconds: they only line the shards' phases up (NTP is
 * plenty); nothing is measured across machines' clocks.
 */
import type { RunResult } from '../result/types.js';
import type { SecondRecord } from '../runner/progress.js';

export const COORDINATOR_PROTOCOL = 'rtbench.coordinator/1';

export type ToCoordinator =
  | { type: 'hello'; protocol: typeof COORDINATOR_PROTOCOL; index: number; count: number; runId: string; scenario: string; seed: number; phases: number; config: Record<string, unknown> }
  | { type: 'ready'; phase: number }
  /** `latency`: that second's latency histogram of the shard's own events, encoded (compressed base64). */
  | { type: 'second'; phase: number; record: SecondRecord; latency: string }
  | { type: 'result'; result: RunResult };

export type FromCoordinator =
  | { type: 'welcome' }
  | { type: 'refused'; message: string }
  | { type: 'go'; phase: number; atEpochMs: number }
  | { type: 'abort'; message: string };
