import type { ScenarioFlags } from '../config/overrides.js';
import { rtbError } from '../errors.js';
import type { Transport } from '../protocol/transports.js';
import type { SweepParam } from '../result/types.js';

/**
 * Scenario fields to change for one run, named as `rtbench run`'s flags (`clients` is
 * `--clients`, `longPollTimeout` is `--long-poll-timeout`). They are applied and checked
 * exactly as those flags are, so a bad value's error names the flag.
 */
export interface ScenarioOverrides {
  readonly clients?: number;
  readonly connectRate?: number;
  readonly rate?: number;
  readonly upstreamRate?: number;
  readonly topics?: number;
  readonly roomSize?: number;
  readonly pattern?: 'broadcast' | 'per-client' | 'rooms';
  readonly arrival?: 'poisson' | 'fixed';
  /** Bytes, or a size with a unit ('4KiB'). */
  readonly payload?: number | string;
  readonly duration?: string;
  readonly warmup?: string;
  readonly drain?: string;
  readonly seed?: number;
  readonly workers?: number | 'auto';
  /** Keeps only these transports, in the scenario's order. */
  readonly transports?: readonly Transport[];
  /** Polling interval(s): one phase each. */
  readonly interval?: string | readonly string[];
  readonly longPollTimeout?: string;
  readonly sseClient?: 'fast' | 'eventsource';
  readonly sweep?: { readonly param: SweepParam; readonly values: readonly (number | string)[] };
  /** `path=value` assignments, as `--set` takes them: 'server.publishDelay=5ms'. */
  readonly set?: readonly string[];
}

const OVERRIDE_KEYS: readonly (keyof ScenarioOverrides)[] = [
  'clients', 'connectRate', 'rate', 'upstreamRate', 'topics', 'roomSize', 'pattern', 'arrival', 'payload', 'duration', 'warmup',
  'drain', 'seed', 'workers', 'transports', 'interval', 'longPollTimeout', 'sseClient', 'sweep', 'set',
] satisfies readonly (keyof ScenarioFlags)[];

/**
 * The overrides as the flag text `applyScenarioFlags` reads (it parses each back to a
 * scenario value). Throws RTB_ERR_USAGE for a key that is not an override.
 */
export function overridesAsFlags(overrides: ScenarioOverrides): ScenarioFlags {
  const flags: ScenarioFlags = {};
  for (const [key, value] of Object.entries(overrides) as [keyof ScenarioOverrides, unknown][]) {
    if (!OVERRIDE_KEYS.includes(key)) throw rtbError('RTB_ERR_USAGE', `overrides: unknown key "${key}"; overrides are ${OVERRIDE_KEYS.join(', ')}`);
    if (value === undefined) continue;
    if (key === 'set') flags.set = [...(value as readonly string[])];
    else if (key === 'sweep') {
      const sweep = value as NonNullable<ScenarioOverrides['sweep']>;
      flags.sweep = `${sweep.param}=${sweep.values.join(',')}`;
    } else flags[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return flags;
}
