import { rtbError } from '../errors.js';
import { TRANSPORTS } from '../protocol/transports.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../server-options.js';
import { durationLabel, parseBytes, parseDurationUs } from '../units.js';
import { defaultWorkers, SCENARIO_DEFAULTS } from './defaults.js';
import type { ValueLocator } from './scenario-errors.js';
import { resolveWires } from './wire.js';
import type { TargetChoice } from './target-choice.js';
import type { Arrival, FaultSpec, Pattern, RunConfig, SseClientKind, SweepParam, TransportSpec } from './types.js';

/** Events/s all publishers together may be asked for (the schema's descriptions say so). */
const MAX_PUBLISH_RATE_PER_S = 1_000_000;

/** A scenario after the schema accepted it (scenario-schema.ts); the shapes are guaranteed, the cross-field rules are checked here. */
interface ScenarioData {
  name: string;
  description?: string;
  workload: { pattern: Pattern; topics?: number; rate?: number; upstreamRate?: number; roomSize?: number; arrival?: Arrival; payloadBytes?: number | string };
  clients?: { count?: number; connectRate?: number; reconnect?: { delay?: string; max?: string; jitter?: number }; resume?: boolean };
  faults?: RawFault[];
  duration?: string;
  warmup?: string;
  drain?: string;
  seed?: number;
  workers?: number | 'auto';
  processes?: number;
  transports: Partial<Record<string, Record<string, unknown> | null>>;
  thresholds?: string[];
  sweep?: { param: SweepParam; values: (number | string)[] };
  server?: { ring?: number; maxBuffered?: string | number; sseHeartbeat?: string; wsPing?: string; keepAliveTimeout?: string; publishDelay?: string; wsDeflate?: boolean; processes?: number };
}

export interface ResolveContext {
  file?: string;
  locator: ValueLocator;
  target: TargetChoice;
  repeat: number;
}

/** Scenario data (validated) + defaults → the frozen RunConfig the runner trusts. */
export function resolveRunConfig(raw: Record<string, unknown>, ctx: ResolveContext): RunConfig {
  const s = raw as unknown as ScenarioData;
  const fail = (path: string[], message: string): never => {
    throw rtbError('RTB_ERR_SCENARIO_INVALID', `${ctx.locator.where(path)}: ${message}`);
  };
  const d = SCENARIO_DEFAULTS;
  const w = s.workload;
  const pattern = w.pattern;

  // Cross-field rules the schema cannot say clearly.
  if (pattern === 'rooms' && w.rate !== undefined) fail(['workload', 'rate'], 'workload.rate is not used by pattern rooms; set workload.upstreamRate (events/s each client publishes)');
  if (pattern !== 'rooms' && w.upstreamRate !== undefined) fail(['workload', 'upstreamRate'], `workload.upstreamRate is only used by pattern rooms; pattern ${pattern} uses workload.rate`);
  if (pattern !== 'rooms' && w.roomSize !== undefined) fail(['workload', 'roomSize'], `workload.roomSize is only used by pattern rooms, not ${pattern}`);
  if (pattern !== 'broadcast' && w.topics !== undefined) fail(['workload', 'topics'], `workload.topics is only used by pattern broadcast; ${pattern} has one topic per ${pattern === 'rooms' ? 'room' : 'client'}`);

  const reconnect = s.clients?.reconnect;
  const clients = {
    count: s.clients?.count ?? d.clients.count,
    connectRate: s.clients?.connectRate ?? d.clients.connectRate,
    ...(reconnect !== undefined
      ? { reconnect: { delayUs: parseDurationUs(reconnect.delay ?? '1s')!, maxUs: parseDurationUs(reconnect.max ?? '30s')!, jitter: reconnect.jitter ?? 0.2 } }
      : {}),
    resume: s.clients?.resume ?? true,
  };
  const roomSize = w.roomSize ?? d.workload.roomSize;
  const topics = pattern === 'broadcast' ? (w.topics ?? d.workload.topics) : pattern === 'per-client' ? clients.count : Math.ceil(clients.count / roomSize);

  const durationUs = parseDurationUs(s.duration ?? d.duration)!;
  if (durationUs < 100_000) fail(['duration'], `duration must be at least 100ms; found "${s.duration}"`);
  const faults = resolveFaults(s.faults ?? [], durationUs, ctx.target.url !== undefined, fail);
  const warmupUs = parseDurationUs(s.warmup ?? d.warmup)!;
  const drainText = s.drain ?? d.drain;
  const drainUs = drainText === 'auto' ? 'auto' : parseDurationUs(drainText)!;

  const transports: TransportSpec[] = [];
  for (const transport of TRANSPORTS) {
    if (!(transport in s.transports)) continue;
    const options = s.transports[transport] ?? {};
    switch (transport) {
      case 'polling': {
        const interval = (options.interval as string | string[] | undefined) ?? d.transports.polling.interval;
        const intervalsUs = (Array.isArray(interval) ? interval : [interval]).map((t) => parseDurationUs(t)!);
        if (intervalsUs.some((us) => us < 10_000)) fail(['transports', 'polling', 'interval'], 'polling intervals must be at least 10ms');
        if (new Set(intervalsUs).size !== intervalsUs.length) fail(['transports', 'polling', 'interval'], 'polling intervals must not repeat');
        transports.push({ transport, intervalsUs });
        break;
      }
      case 'long-polling': {
        const timeoutMs = parseDurationUs((options.timeout as string | undefined) ?? d.transports['long-polling'].timeout)! / 1000;
        // The reference server answers a longer hold with 400 (src/server/params.ts): every long-poll of the phase would fail.
        const capMs = DEFAULT_SERVER_OPTIONS.maxLongPollTimeoutMs;
        if (ctx.target.url === undefined && timeoutMs > capMs) {
          fail(['transports', 'long-polling', 'timeout'], `a long-poll timeout of ${options.timeout as string} is above the reference server's cap of ${capMs / 1000}s, which would refuse every long-poll; use at most ${capMs / 1000}s`);
        }
        transports.push({ transport, timeoutMs });
        break;
      }
      case 'sse':
        transports.push({ transport, client: ((options.client as SseClientKind | undefined) ?? d.transports.sse.client) as SseClientKind });
        break;
      case 'ws':
        transports.push({ transport });
        break;
    }
    // HTTP version and TLS: one phase per combination (config/wire.ts).
    const wire = resolveWires(transport, options, fail);
    if (wire.wires !== undefined) transports.push({ ...transports.pop()!, ...wire });
  }

  // Transports the server does not offer are skipped with a note, not failed (DESIGN §2b).
  const profile = ctx.target.profile;
  const unsupportedTransports = transports.filter((t) => profile.transports[t.transport] === undefined).map((t) => t.transport);
  if (unsupportedTransports.length === transports.length) {
    const offered = TRANSPORTS.filter((t) => profile.transports[t] !== undefined);
    fail(['transports'], `${profile.source} offers none of the transports asked for (${transports.map((t) => t.transport).join(', ')}); it offers ${offered.join(', ')}`);
  }
  for (let i = transports.length - 1; i >= 0; i--) if (unsupportedTransports.includes(transports[i].transport)) transports.splice(i, 1);

  let sweep: RunConfig['sweep'];
  if (s.sweep !== undefined) {
    const { param, values } = s.sweep;
    const path = ['sweep', 'values'];
    const numbers = values.map((v) => {
      if (param === 'interval') {
        const us = typeof v === 'string' ? parseDurationUs(v) : undefined;
        if (us === undefined || us < 10_000) return fail(path, `interval sweep values must be durations of at least 10ms such as 250ms; found ${JSON.stringify(v)}`);
        return us;
      }
      if (param === 'payloadBytes' && typeof v === 'string' && parseBytes(v) !== undefined) return parseBytes(v)!;
      if (typeof v !== 'number' || !(v > 0 || (param === 'payloadBytes' && v === 0))) return fail(path, `${param} sweep values must be positive numbers; found ${JSON.stringify(v)}`);
      if ((param === 'clients' || param === 'payloadBytes') && !Number.isInteger(v)) return fail(path, `${param} sweep values must be integers; found ${v}`);
      return v;
    });
    if (param === 'interval' && !transports.some((t) => t.transport === 'polling')) fail(['sweep', 'param'], 'an interval sweep needs the polling transport');
    if (new Set(numbers).size !== numbers.length) fail(path, 'sweep values must not repeat');
    sweep = { param, values: numbers };
  }

  // The publishers schedule every event on the event loop: past this total they would never yield.
  const sweptValues = (param: SweepParam, base: number): number[] => (sweep?.param === param ? [...sweep.values] : [base]);
  const rates = pattern === 'rooms' ? sweptValues('rate', w.upstreamRate ?? d.workload.upstreamRate) : sweptValues('rate', w.rate ?? d.workload.rate);
  const publishers = pattern === 'broadcast' ? [topics] : pattern === 'per-client' ? [1] : sweptValues('clients', clients.count);
  const totalRate = Math.max(...rates) * Math.max(...publishers);
  if (totalRate > MAX_PUBLISH_RATE_PER_S) {
    const how = pattern === 'broadcast' ? `${Math.max(...rates)} events/s on each of ${topics} topics` : pattern === 'rooms' ? `${Math.max(...publishers)} clients each publishing ${Math.max(...rates)} events/s` : `${Math.max(...rates)} events/s`;
    fail(sweep?.param === 'rate' || (pattern === 'rooms' && sweep?.param === 'clients') ? ['sweep', 'values'] : ['workload', pattern === 'rooms' ? 'upstreamRate' : 'rate'], `${how} is ${totalRate} events/s in total; rtbench publishes at most ${MAX_PUBLISH_RATE_PER_S} events/s`);
  }

  const server: { -readonly [K in keyof ServerOptions]?: ServerOptions[K] } = {};
  if (s.server?.ring !== undefined) server.ringCapacity = s.server.ring;
  if (s.server?.maxBuffered !== undefined) server.maxBufferedBytes = parseBytes(String(s.server.maxBuffered))!;
  if (s.server?.sseHeartbeat !== undefined) server.sseHeartbeatMs = parseDurationUs(s.server.sseHeartbeat)! / 1000;
  if (s.server?.wsPing !== undefined) server.wsPingMs = parseDurationUs(s.server.wsPing)! / 1000;
  if (s.server?.keepAliveTimeout !== undefined) server.keepAliveTimeoutMs = parseDurationUs(s.server.keepAliveTimeout)! / 1000;
  if (s.server?.publishDelay !== undefined) server.publishDelayMs = parseDurationUs(s.server.publishDelay)! / 1000;
  if (s.server?.wsDeflate !== undefined) server.wsPerMessageDeflate = s.server.wsDeflate;
  if (s.server?.processes !== undefined && s.server.processes > 1 && ctx.target.url === undefined) {
    server.processes = s.server.processes;
    // A stall pauses one PID (SIGSTOP): the primary alone would stop accepting and numbering while its workers kept serving.
    const i = faults.findIndex((f) => f.kind === 'stall');
    if (i >= 0) fail(['faults', String(i), 'stall'], `a stall pauses one process (SIGSTOP), but with server.processes: ${s.server.processes} the reference server is ${s.server.processes + 1} (a primary and ${s.server.processes} workers); run stalls against one process`);
  }

  const workers = s.workers === undefined || s.workers === 'auto' ? defaultWorkers() : s.workers;

  return deepFreeze({
    scenario: { name: s.name, description: s.description ?? '', ...(ctx.file ? { file: ctx.file } : {}) },
    workload: {
      pattern,
      topics,
      rate: w.rate ?? d.workload.rate,
      upstreamRate: w.upstreamRate ?? d.workload.upstreamRate,
      roomSize,
      arrival: w.arrival ?? (d.workload.arrival as Arrival),
      payloadBytes: typeof w.payloadBytes === 'string' ? parseBytes(w.payloadBytes)! : (w.payloadBytes ?? d.workload.payloadBytes),
    },
    clients,
    faults,
    durationUs,
    warmupUs,
    drainUs,
    seed: s.seed ?? d.seed,
    workers,
    ...(s.processes !== undefined ? { processes: s.processes } : {}),
    transports,
    ...(sweep ? { sweep } : {}),
    thresholds: s.thresholds ?? [],
    server,
    ...(ctx.target.url !== undefined ? { target: ctx.target.url } : {}),
    ...(ctx.target.serverPid !== undefined ? { serverPid: ctx.target.serverPid } : {}),
    profile: ctx.target.profile,
    unsupportedTransports,
    repeat: ctx.repeat,
  });
}

type RawFault = {
  cut?: { at?: string; every?: string; share?: number | string; mode?: 'fin' | 'rst' };
  storm?: { at: string; mode?: 'fin' | 'rst' };
  stall?: { at: string; for: string };
  restart?: { at: string; log?: 'keep' | 'lose'; command?: string };
  shape?: { latency?: string; jitter?: string; bandwidth?: string };
  slow?: { share?: number | string; rate: string | number };
};

const BITS = { bit: 1, kbit: 1e3, Mbit: 1e6, Gbit: 1e9 } as const;

/** The `faults:` section → FaultSpecs, each checked against the window it must fall in. */
function resolveFaults(raw: readonly RawFault[], durationUs: number, external: boolean, fail: (path: string[], message: string) => never): FaultSpec[] {
  const window = durationLabel(durationUs);
  const inWindow = (path: string[], text: string): number => {
    const us = parseDurationUs(text)!;
    if (us >= durationUs) fail(path, `${text} is not inside the ${window} measurement window (fault times count from the window's start)`);
    return us;
  };
  const specs = raw.map((f, i): FaultSpec => {
    const base = ['faults', String(i)];
    if (f.cut !== undefined) {
      const c = f.cut;
      const path = [...base, 'cut'];
      if ((c.at === undefined) === (c.every === undefined)) fail(path, 'a cut needs exactly one of at (once) or every (repeatedly)');
      const everyUs = c.every !== undefined ? parseDurationUs(c.every)! : undefined;
      if (everyUs !== undefined && everyUs < 100_000) fail([...path, 'every'], `cuts at most every 100ms; found ${c.every}`);
      if (everyUs !== undefined && everyUs >= durationUs) fail([...path, 'every'], `every ${c.every} never falls inside the ${window} window`);
      return { kind: 'cut', ...(c.at !== undefined ? { atUs: inWindow([...path, 'at'], c.at) } : {}), ...(everyUs !== undefined ? { everyUs } : {}), share: shareOf([...path, 'share'], c.share, fail), mode: c.mode ?? 'rst' };
    }
    if (f.storm !== undefined) return { kind: 'storm', atUs: inWindow([...base, 'storm', 'at'], f.storm.at), mode: f.storm.mode ?? 'rst' };
    if (f.shape !== undefined) {
      const latencyUs = parseDurationUs(f.shape.latency ?? '0ms')!;
      const jitterUs = parseDurationUs(f.shape.jitter ?? '0ms')!;
      if (jitterUs > latencyUs) fail([...base, 'shape', 'jitter'], `jitter (${f.shape.jitter}) cannot exceed the latency (${f.shape.latency ?? '0ms'}): a chunk cannot arrive before it was sent`);
      const bw = f.shape.bandwidth !== undefined ? /^(\d+(?:\.\d+)?)\s*(bit|kbit|Mbit|Gbit)$/.exec(f.shape.bandwidth) : null;
      const bandwidthBps = bw ? Number(bw[1]) * BITS[bw[2] as keyof typeof BITS] : 0;
      if (bw && bandwidthBps < 8_000) fail([...base, 'shape', 'bandwidth'], `a bandwidth of at least 8kbit; found ${f.shape.bandwidth}`);
      if (latencyUs === 0 && bandwidthBps === 0) fail([...base, 'shape'], 'a shape needs a latency or a bandwidth');
      return { kind: 'shape', latencyUs, jitterUs, bandwidthBps };
    }
    if (f.slow !== undefined) {
      const bytesPerS = parseBytes(String(f.slow.rate));
      if (bytesPerS === undefined || bytesPerS < 100) fail([...base, 'slow', 'rate'], `a read rate of at least 100 bytes/s such as 10KiB; found ${JSON.stringify(f.slow.rate)}`);
      return { kind: 'slow', share: shareOf([...base, 'slow', 'share'], f.slow.share, fail), bytesPerS: bytesPerS! };
    }
    if (f.restart !== undefined) {
      const r = f.restart;
      const path = [...base, 'restart'];
      if (external && r.command === undefined) fail(path, 'with --target, a restart needs the command that restarts your server, e.g. {restart: {at: 5s, command: "systemctl restart myapp"}}');
      if (!external && r.command !== undefined) fail([...path, 'command'], 'a command restarts your own server (--target); rtbench restarts the reference server itself');
      if (external && r.log !== undefined) fail([...path, 'log'], 'log: keep | lose chooses what the reference server keeps; your command decides what your server keeps');
      return { kind: 'restart', atUs: inWindow([...path, 'at'], r.at), log: r.log ?? 'keep', ...(r.command !== undefined ? { command: r.command } : {}) };
    }
    const stall = f.stall!;
    if (external) fail([...base, 'stall'], 'stall pauses the reference server (SIGSTOP); with --target, pause your own server yourself');
    const atUs = inWindow([...base, 'stall', 'at'], stall.at);
    const forUs = parseDurationUs(stall.for)!;
    if (forUs <= 0) fail([...base, 'stall', 'for'], `a stall lasts more than 0; found ${stall.for}`);
    if (atUs + forUs > durationUs) fail([...base, 'stall', 'for'], `a stall at ${stall.at} for ${stall.for} outlasts the ${window} measurement window; end it inside the window`);
    return { kind: 'stall', atUs, forUs };
  });
  checkRestartsOutsideStalls(specs, fail);
  return specs;
}

/** A stalled (SIGSTOPped) server cannot hand its log over: a restart must not fall inside a stall. */
function checkRestartsOutsideStalls(specs: readonly FaultSpec[], fail: (path: string[], message: string) => never): void {
  specs.forEach((r, i) => {
    if (r.kind !== 'restart') return;
    for (const s of specs) {
      if (s.kind === 'stall' && r.atUs >= s.atUs && r.atUs < s.atUs + s.forUs) fail(['faults', String(i), 'restart', 'at'], 'a restart cannot begin while the server is stalled (a paused server cannot stop); move it outside the stall');
    }
  });
}

/** A share as a fraction: 0.5, "50%"; above 0 and at most 1 (100 %). */
function shareOf(path: string[], value: number | string | undefined, fail: (path: string[], message: string) => never): number {
  if (value === undefined) return 1;
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?%$/.test(value.trim()) ? Number(value.trim().slice(0, -1)) / 100 : NaN;
  if (!(n > 0 && n <= 1)) fail(path, `a share is a fraction above 0 and at most 1, or a percentage up to 100%; found ${JSON.stringify(value)}`);
  return n;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
