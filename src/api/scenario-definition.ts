/**
 * A scenario as a value, for `run()`: the same shape as a scenario YAML file
 * (schema/scenario.schema.json), checked by that schema when the run starts, exactly as a
 * file is. Durations are strings with a unit ('2s', '250ms'), sizes a number of bytes or a
 * string with a unit ('4KiB'). Fields the schema gains before this type does can still be
 * given: the index signatures let them through to the schema check.
 */
export interface ScenarioDefinition {
  readonly name: string;
  readonly description?: string;
  readonly workload: {
    readonly pattern: 'broadcast' | 'per-client' | 'rooms';
    /** broadcast: client i subscribes to topic i mod topics. */
    readonly topics?: number;
    /** Events/s per topic (broadcast) or in total (per-client). */
    readonly rate?: number;
    /** rooms: events/s each client publishes. */
    readonly upstreamRate?: number;
    readonly roomSize?: number;
    readonly arrival?: 'poisson' | 'fixed';
    readonly payloadBytes?: number | string;
  };
  readonly clients?: { readonly count?: number; readonly connectRate?: number; readonly [field: string]: unknown };
  /** The measurement window, e.g. '5s'. */
  readonly duration?: string;
  readonly warmup?: string;
  /** 'auto' or a duration. */
  readonly drain?: string;
  readonly seed?: number;
  readonly workers?: number | 'auto';
  /** The transports to run, each with its options ({} or null for the defaults). */
  readonly transports: {
    readonly polling?: { readonly interval?: string | readonly string[] } | null;
    readonly 'long-polling'?: { readonly timeout?: string } | null;
    readonly sse?: { readonly client?: 'fast' | 'eventsource' } | null;
    readonly ws?: Readonly<Record<string, never>> | null;
  };
  /** Threshold expressions, e.g. '*.lost == 0' (docs/thresholds.md). */
  readonly thresholds?: readonly string[];
  readonly sweep?: { readonly param: 'clients' | 'rate' | 'interval' | 'payloadBytes'; readonly values: readonly (number | string)[] };
  /** Reference server options (ignored with a target). */
  readonly server?: { readonly [option: string]: unknown };
  /** A server of your own; `run()`'s `target` / `profile` options win over it. */
  readonly target?: { readonly url?: string; readonly profile?: string | { readonly [field: string]: unknown }; readonly serverPid?: number };
  readonly [field: string]: unknown;
}
