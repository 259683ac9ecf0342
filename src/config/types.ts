import type { Profile } from '../profiles/profile-types.js';
import type { Transport } from '../protocol/transports.js';
import type { ServerOptions } from '../server-options.js';
import type { TransportWire } from './wire.js';
import type { ShardSpec } from '../shard/shard-spec.js';

export type Pattern = 'broadcast' | 'per-client' | 'rooms';
export type Arrival = 'poisson' | 'fixed';
export type SseClientKind = 'fast' | 'eventsource';
/** What a sweep varies across its phases: clients, publish rate, polling interval or payload size. */
export type SweepParam = 'clients' | 'rate' | 'interval' | 'payloadBytes';

/** A transport and its options; `wires` (HTTP version, TLS) multiply its phases (config/wire.ts). */
export type TransportSpec = (
  | { readonly transport: 'polling'; readonly intervalsUs: readonly number[] }
  | { readonly transport: 'long-polling'; readonly timeoutMs: number }
  | { readonly transport: 'sse'; readonly client: SseClientKind }
  | { readonly transport: 'ws' }
) &
  TransportWire;

export interface Workload {
  readonly pattern: Pattern;
  /** broadcast: topics; per-client: one per client; rooms: one per room. */
  readonly topics: number;
  /** Events/s: per topic (broadcast), total (per-client). */
  readonly rate: number;
  /** rooms: events/s each client publishes. */
  readonly upstreamRate: number;
  readonly roomSize: number;
  readonly arrival: Arrival;
  readonly payloadBytes: number;
}

/** A fault injected during the window (DESIGN §7); times in µs from the window's start. */
export type FaultSpec =
  /** Close the connections of `share` of the clients, once at `atUs` or every `everyUs`. */
  | { readonly kind: 'cut'; readonly atUs?: number; readonly everyUs?: number; readonly share: number; readonly mode: 'fin' | 'rst' }
  /** Every client's connection at the same instant. */
  | { readonly kind: 'storm'; readonly atUs: number; readonly mode: 'fin' | 'rst' }
  /** The reference server paused (SIGSTOP) at `atUs` for `forUs`. */
  | { readonly kind: 'stall'; readonly atUs: number; readonly forUs: number }
  /** The whole phase: clients reach the server through a shaping proxy. */
  | { readonly kind: 'shape'; readonly latencyUs: number; readonly jitterUs: number; readonly bandwidthBps: number }
  /** The whole phase: `share` of the clients read at most `bytesPerS`. */
  | { readonly kind: 'slow'; readonly share: number; readonly bytesPerS: number }
  /**
   * The server stopped and started again on the same port at `atUs`: the reference server with
   * its topic logs kept or lost (event ids keep counting up either way), or — with --target —
   * `command` run through the shell.
   */
  | { readonly kind: 'restart'; readonly atUs: number; readonly log: 'keep' | 'lose'; readonly command?: string };

/** How clients reconnect; undefined keeps each transport's usual delay. */
export interface ReconnectPolicy {
  readonly delayUs: number;
  readonly maxUs: number;
  /** Each wait is spread by ± this fraction. */
  readonly jitter: number;
}

/** One validated, frozen configuration: scenario file + flags + defaults. Trusted after this. */
export interface RunConfig {
  readonly scenario: { readonly name: string; readonly description: string; readonly file?: string };
  readonly workload: Workload;
  readonly clients: { readonly count: number; readonly connectRate: number; readonly reconnect?: ReconnectPolicy; readonly resume: boolean };
  readonly faults: readonly FaultSpec[];
  readonly durationUs: number;
  readonly warmupUs: number;
  /** 'auto': the polling interval (if any) + 2 s. */
  readonly drainUs: number | 'auto';
  readonly seed: number;
  readonly workers: number;
  readonly transports: readonly TransportSpec[];
  readonly sweep?: { readonly param: SweepParam; readonly values: readonly number[] };
  readonly thresholds: readonly string[];
  /** Reference server options from the scenario's `server:` section. */
  readonly server: Partial<ServerOptions>;
  /** An external server to benchmark instead of the reference server. */
  readonly target?: string;
  /** How to talk to the server (the built-in rtbench profile for the reference server). */
  readonly profile: Profile;
  /** Transports the scenario asked for that the profile does not offer: skipped, with a note. */
  readonly unsupportedTransports: readonly Transport[];
  readonly serverPid?: number;
  /** --tls-target: where a --target serves TLS (https://); the +tls phases' clients connect there. */
  readonly tlsTarget?: string;
  /** --insecure: clients accept any TLS certificate of the target (self-signed). */
  readonly insecure?: boolean;
  readonly repeat: number;
  /** `--shard i/N`: this process runs slice i of the clients and of the publish rate (DESIGN §6). */
  readonly shard?: ShardSpec;
  /** Local addresses the clients' connections bind to, in turn (`--source-addresses`); the kernel's choice when absent. */
  readonly sourceAddresses?: readonly string[];
  /** `--processes N`: child processes the clients live in; absent = what the client count needs (client-processes.ts). */
  readonly processes?: number;
}
