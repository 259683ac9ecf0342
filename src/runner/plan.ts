import type { ClientOptions } from '../clients/create-client.js';
import { DRAIN_MARGIN_US } from '../config/defaults.js';
import type { RunConfig, TransportSpec } from '../config/types.js';
import type { Transport } from '../protocol/transports.js';
import type { SweepParam } from '../result/types.js';
import { clientSlice } from '../shard/split.js';
import { durationLabel } from '../units.js';
import { wireSuffix } from '../config/wire.js';

/** One phase to run: a transport (and variant) at one sweep value, one repetition. */
export interface PhasePlan {
  readonly key: string;
  readonly transport: Transport;
  readonly variant?: string;
  readonly sweep?: { readonly param: SweepParam; readonly value: number; readonly label: string };
  readonly repeat: number;
  readonly clients: number;
  /** Events per second of `ratePer`: each topic (broadcast), all topics together (per-client), each client (rooms). */
  readonly ratePerS: number;
  readonly ratePer: 'topic' | 'all-topics' | 'client';
  readonly payloadBytes: number;
  readonly topics: number;
  readonly client: ClientOptions;
  readonly drainUs: number;
  /** The same for every phase of one repetition: every transport gets the same publish stream. */
  readonly seed: number;
  /** A sharded run: this process's slice of `clients` (global indexes first … first + clients − 1). */
  readonly shard?: { readonly index: number; readonly count: number; readonly firstClient: number; readonly clients: number };
}

/**
 * The phases of a run, in order: repetitions outermost (so drift hits every transport
 * alike), then sweep values, then transports in canonical order, polling once per interval.
 * An interval sweep varies only polling; the other transports run once as the reference.
 */
export function planPhases(config: RunConfig): PhasePlan[] {
  const phases: PhasePlan[] = [];
  const sweep = config.sweep;
  const sweepValues: (number | undefined)[] = sweep && sweep.param !== 'interval' ? [...sweep.values] : [undefined];
  for (let repeat = 1; repeat <= config.repeat; repeat++) {
    for (const value of sweepValues) {
      for (const spec of config.transports) {
        for (const options of withWires(spec, variantsOf(spec, config))) {
          phases.push(makePhase(config, options, repeat, value));
        }
      }
    }
  }
  return phases;
}

/** Each variant once per wire the spec asks for (HTTP version, TLS), its key suffixed (`polling@1s@h2+tls`). */
function withWires(spec: TransportSpec, variants: ReturnType<typeof variantsOf>): ReturnType<typeof variantsOf> {
  const wires = spec.wires;
  if (wires === undefined) return variants;
  return variants.flatMap((v) =>
    wires.map((wire) => ({
      ...v,
      client: { ...v.client, ...(wire.http === '2' ? { http: wire.http, streamsPerConnection: spec.streamsPerConnection } : {}), ...(wire.tls ? { tls: true } : {}) },
      wireSuffix: wireSuffix(wire),
    })),
  );
}

function variantsOf(spec: TransportSpec, config: RunConfig): { client: ClientOptions; variant?: string; intervalSweep?: number; wireSuffix?: string }[] {
  switch (spec.transport) {
    case 'polling': {
      const intervals = config.sweep?.param === 'interval' ? config.sweep.values : spec.intervalsUs;
      return intervals.map((us) => ({
        client: { transport: 'polling', pollIntervalUs: us },
        variant: durationLabel(us),
        ...(config.sweep?.param === 'interval' ? { intervalSweep: us } : {}),
      }));
    }
    case 'long-polling':
      return [{ client: { transport: 'long-polling', longPollTimeoutMs: spec.timeoutMs } }];
    case 'sse':
      return [{ client: { transport: 'sse', sseClient: spec.client }, ...(spec.client === 'eventsource' ? { variant: 'eventsource' } : {}) }];
    case 'ws':
      return [{ client: { transport: 'ws' } }];
  }
}

function makePhase(config: RunConfig, options: ReturnType<typeof variantsOf>[number], repeat: number, sweepValue: number | undefined): PhasePlan {
  const w = config.workload;
  const param = config.sweep?.param;
  const clients = param === 'clients' && sweepValue !== undefined ? sweepValue : config.clients.count;
  const baseRate = w.pattern === 'rooms' ? w.upstreamRate : w.rate;
  const rate = param === 'rate' && sweepValue !== undefined ? sweepValue : baseRate;
  const payloadBytes = param === 'payloadBytes' && sweepValue !== undefined ? sweepValue : w.payloadBytes;
  const topics = w.pattern === 'broadcast' ? w.topics : w.pattern === 'per-client' ? clients : Math.ceil(clients / w.roomSize);
  const transport = options.client.transport;

  let sweep: PhasePlan['sweep'];
  if (param !== undefined && param !== 'interval' && sweepValue !== undefined) sweep = { param, value: sweepValue, label: String(sweepValue) };
  if (options.intervalSweep !== undefined) sweep = { param: 'interval', value: options.intervalSweep, label: durationLabel(options.intervalSweep) };

  const key = `${transport}${options.variant ? `@${options.variant}` : ''}${options.wireSuffix ?? ''}${sweep && sweep.param !== 'interval' ? `[${sweep.param}=${sweep.label}]` : ''}`;
  const pollUs = options.client.pollIntervalUs ?? 0;
  const drainUs = config.drainUs === 'auto' ? pollUs + DRAIN_MARGIN_US : Math.max(config.drainUs, pollUs);
  return {
    key,
    transport,
    ...(options.variant ? { variant: options.variant } : {}),
    ...(sweep ? { sweep } : {}),
    repeat,
    clients,
    ratePerS: rate,
    ratePer: w.pattern === 'broadcast' ? 'topic' : w.pattern === 'per-client' ? 'all-topics' : 'client',
    payloadBytes,
    topics,
    client: options.client,
    drainUs,
    seed: (config.seed + repeat - 1) >>> 0,
    ...(config.shard !== undefined ? { shard: { index: config.shard.index, count: config.shard.count, ...sliceOf(clients, config.shard, w.pattern === 'rooms' ? w.roomSize : 1) } } : {}),
  };
}

/**
 * A shard's clients. Rooms are split whole (`unit` = the room size): a room's members then
 * publish and receive on one host, so the shard owes its clients only its own clients' events
 * and times all of them on its own clock.
 */
function sliceOf(clients: number, shard: { index: number; count: number }, unit: number): { firstClient: number; clients: number } {
  const slice = clientSlice(Math.ceil(clients / unit), shard.index, shard.count);
  const firstClient = Math.min(clients, slice.first * unit);
  return { firstClient, clients: Math.min(clients, (slice.first + slice.count) * unit) - firstClient };
}

/**
 * The most clients this process's run holds in any one phase — a shard's slice when sharded
 * (rooms split whole) — for the checks made before anything runs (open files, ports, memory).
 */
export function mostClientsHeld(config: RunConfig): number {
  return Math.max(0, ...planPhases(config).map((p) => p.shard?.clients ?? p.clients));
}
