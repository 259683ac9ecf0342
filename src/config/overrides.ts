import { closest } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import { rtbError } from '../errors.js';
import { isTransport, TRANSPORTS } from '../protocol/transports.js';

/**
 * The `rtbench run` flags that override scenario fields, as typed (strings): they are
 * turned into scenario values here and validated with the file, by the same schema, so a
 * bad flag and a bad file line get the same kind of message — naming the flag.
 */
export interface ScenarioFlags {
  clients?: string;
  connectRate?: string;
  rate?: string;
  upstreamRate?: string;
  topics?: string;
  roomSize?: string;
  pattern?: string;
  arrival?: string;
  payload?: string;
  duration?: string;
  warmup?: string;
  drain?: string;
  seed?: string;
  workers?: string;
  transports?: string;
  interval?: string;
  longPollTimeout?: string;
  sseClient?: string;
  sweep?: string;
  /** Each a YAML flow mapping, e.g. "{cut: {every: 1s}}"; together they replace the scenario's faults. */
  fault?: string[];
  reconnectDelay?: string;
  /** Commander's --no-resume: false when given. */
  resume?: boolean;
  set?: string[];
}

/** Flag → scenario path. */
const FLAG_PATHS: [Exclude<keyof ScenarioFlags, 'set' | 'fault' | 'resume'>, string, string[]][] = [
  ['clients', '--clients', ['clients', 'count']],
  ['connectRate', '--connect-rate', ['clients', 'connectRate']],
  ['rate', '--rate', ['workload', 'rate']],
  ['upstreamRate', '--upstream-rate', ['workload', 'upstreamRate']],
  ['topics', '--topics', ['workload', 'topics']],
  ['roomSize', '--room-size', ['workload', 'roomSize']],
  ['pattern', '--pattern', ['workload', 'pattern']],
  ['arrival', '--arrival', ['workload', 'arrival']],
  ['payload', '--payload', ['workload', 'payloadBytes']],
  ['duration', '--duration', ['duration']],
  ['warmup', '--warmup', ['warmup']],
  ['drain', '--drain', ['drain']],
  ['seed', '--seed', ['seed']],
  ['workers', '--workers', ['workers']],
];

/** A flag's text as the scenario value it stands for: "500" → 500, "1s" → "1s", "[a, b]" → a list. */
export function scalarOf(text: string): unknown {
  try {
    const value = parseYaml(text) as unknown;
    return value === null ? text : value;
  } catch {
    return text;
  }
}

/** Applies flags to a parsed scenario (a copy); `flagPaths` records which paths flags set, for error messages. */
export function applyScenarioFlags(scenario: Record<string, unknown>, flags: ScenarioFlags): { data: Record<string, unknown>; flagPaths: Map<string, string> } {
  const data = structuredClone(scenario);
  const flagPaths = new Map<string, string>();
  const set = (path: string[], value: unknown, flag: string): void => {
    let node = data;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
    flagPaths.set(path.join('.'), flag);
  };

  for (const [key, flag, path] of FLAG_PATHS) {
    const text = flags[key];
    if (text !== undefined) set(path, scalarOf(text), flag);
  }

  if (flags.transports !== undefined) {
    const names = flags.transports.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw usage('--transports needs at least one of polling, long-polling, sse, ws');
    const current = (typeof data.transports === 'object' && data.transports !== null ? data.transports : {}) as Record<string, unknown>;
    const selected: Record<string, unknown> = {};
    for (const name of names) {
      if (!isTransport(name)) throw usage(`--transports: unknown transport "${name}" (did you mean "${closest(name, [...TRANSPORTS])}"?); transports are ${TRANSPORTS.join(', ')}`);
      selected[name] = current[name] ?? {};
    }
    data.transports = selected;
    flagPaths.set('transports', '--transports');
  }

  const transportOption = (text: string | undefined, flag: string, transport: string, key: string, value: (t: string) => unknown): void => {
    if (text === undefined) return;
    const transports = data.transports as Record<string, unknown> | undefined;
    if (transports === undefined || !(transport in transports)) {
      throw usage(`${flag} applies to ${transport}, which this run does not include (add it with --transports)`);
    }
    set(['transports', transport, key], value(text), flag);
  };
  transportOption(flags.interval, '--interval', 'polling', 'interval', (t) => {
    const list = t.split(',').map((s) => s.trim());
    return list.length === 1 ? list[0] : list;
  });
  transportOption(flags.longPollTimeout, '--long-poll-timeout', 'long-polling', 'timeout', (t) => t);
  transportOption(flags.sseClient, '--sse-client', 'sse', 'client', (t) => t);

  if (flags.sweep !== undefined) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(flags.sweep);
    if (match === null) throw usage(`--sweep: expected param=v1,v2,… such as clients=100,500,1000; found "${flags.sweep}"`);
    set(['sweep'], { param: match[1], values: match[2].split(',').map((v) => scalarOf(v.trim())) }, '--sweep');
  }

  if (flags.fault !== undefined) set(['faults'], flags.fault.map((text) => scalarOf(text)), '--fault');
  if (flags.reconnectDelay !== undefined) set(['clients', 'reconnect', 'delay'], scalarOf(flags.reconnectDelay), '--reconnect-delay');
  if (flags.resume === false) set(['clients', 'resume'], false, '--no-resume');

  for (const assignment of flags.set ?? []) {
    const match = /^([A-Za-z][\w.-]*)=(.*)$/.exec(assignment);
    if (match === null) throw usage(`--set: expected path=value such as workload.rate=50; found "${assignment}"`);
    set(match[1].split('.'), scalarOf(match[2]), `--set ${match[1]}`);
  }
  return { data, flagPaths };
}

function usage(message: string): Error {
  return rtbError('RTB_ERR_USAGE', message);
}
