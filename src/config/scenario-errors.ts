import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { LineCounter, type Document } from 'yaml';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { allowedKeysAt } from './scenario-schema.js';

/**
 * Says where a value came from — `--clients` or `scenarios/ticker.yaml:7` — so an error
 * names the thing the user has to change.
 */
export class ValueLocator {
  readonly #file: string | undefined;
  readonly #doc: Document | undefined;
  readonly #lines: LineCounter | undefined;
  readonly #flags: Map<string, string>;

  constructor(file: string | undefined, doc: Document | undefined, lines: LineCounter | undefined, flags: Map<string, string>) {
    this.#file = file;
    this.#doc = doc;
    this.#lines = lines;
    this.#flags = flags;
  }

  /** `--flag` when an override set this path (or a parent of it), else `file:line`, else the file. */
  where(path: readonly string[], key?: string): string {
    const full = key === undefined ? path : [...path, key];
    for (let n = full.length; n >= 1; n--) {
      const flag = this.#flags.get(full.slice(0, n).join('.'));
      if (flag !== undefined) return flag;
    }
    const file = this.#file ?? 'scenario';
    const offset = this.#offsetOf(path, key);
    if (offset === undefined || this.#lines === undefined) return file;
    return `${file}:${this.#lines.linePos(offset).line}`;
  }

  #offsetOf(path: readonly string[], key: string | undefined): number | undefined {
    if (this.#doc === undefined) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = this.#doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node === undefined || node === null) continue;
      if (n === path.length && key !== undefined && isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return keyNode.range[0];
      }
      if (node.range) return node.range[0];
    }
    return undefined;
  }
}

/**
 * Every schema problem, one line each (joined with "\n"): where, which field, expected vs
 * found. ajv reports some problems more than once (a union type, an `if` whose `then`
 * failed): each field's most specific report is kept, in the schema's order.
 */
export function describeSchemaError(errors: ErrorObject[], data: unknown, locator: ValueLocator): string {
  const byProblem = new Map<string, ErrorObject[]>();
  // A `oneOf` (a fault is a cut, a storm or a stall) reports every branch it tried; when one
  // branch got further (an error deeper down), the others' complaints at the choice itself are noise.
  const chosen = new Set(errors.filter((e) => e.keyword === 'oneOf' && errors.some((d) => d.instancePath.startsWith(`${e.instancePath}/`))).map((e) => e.instancePath));
  for (const error of errors) {
    if (chosen.has(error.instancePath)) continue;
    if (error.keyword === 'if') continue; // its `then` branch reported the problem itself
    const key = problemKey(error);
    byProblem.set(key, [...(byProblem.get(key) ?? []), error]);
  }
  return [...byProblem.values()].map((group) => describeProblem(pickError(group), data, locator)).join('\n');
}

function describeProblem(best: ErrorObject, data: unknown, locator: ValueLocator): string {
  const path = pathOf(best.instancePath);
  const found = valueAt(data, path);
  // A flag names its field already (--clients is clients.count, --set names its path); a file
  // line does not, nor does --fault, which gives a whole list (faults.0.cut.mode).
  const where = locator.where(path);
  const field = where.startsWith('--') && where !== '--fault' ? '' : `${path.length > 0 ? path.join('.') : '(top level)'}: `;

  switch (best.keyword) {
    case 'additionalProperties': {
      const key = String((best.params as { additionalProperty: string }).additionalProperty);
      return `${locator.where(path, key)}: unknown key "${[...path, key].join('.')}"${suggest(key, allowedKeysAt(path))}`;
    }
    case 'required': {
      const key = String((best.params as { missingProperty: string }).missingProperty);
      return `${where}: ${path.length > 0 ? field : ''}missing required key "${key}"`;
    }
    case 'enum': {
      const allowed = ((best.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      return `${where}: ${field}expected one of ${allowed.join(', ')}; found ${show(found)}${typeof found === 'string' ? suggest(found, allowed, false) : ''}`;
    }
    default:
      return `${where}: ${field}expected ${expectation(best, fieldPath(path, data))}; found ${show(found)}`;
  }
}

/** Among one field's reports, a structural one before a value one (the value's form before its bounds), and a type mismatch last. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject): number => ({ additionalProperties: 0, required: 1, pattern: 2, type: 4 })[e.keyword] ?? 3;
  return [...errors].sort((a, b) => rank(a) - rank(b))[0];
}

/** One problem per field, per unknown key and per missing key. */
function problemKey(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  if (error.keyword === 'additionalProperties') return `${error.instancePath}\0+${params.additionalProperty}`;
  if (error.keyword === 'required') return `${error.instancePath}\0-${params.missingProperty}`;
  return error.instancePath;
}

/** The field a value stands for: a sweep value is a value of the swept field (`sweep.values.2` of a clients sweep is a `count`). */
function fieldPath(path: string[], data: unknown): string[] {
  if (path[0] !== 'sweep' || path[1] !== 'values' || path.length !== 3) return path;
  const param = valueAt(data, ['sweep', 'param']);
  return param === 'clients' ? ['clients', 'count'] : param === 'interval' ? ['transports', 'polling', 'interval', path[2]] : ['workload', String(param)];
}

function expectation(error: ErrorObject, path: string[]): string {
  const last = path.at(-1) ?? '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      if (last === 'workers') return 'a number of threads or auto';
      if (last === 'interval') return 'a duration with a unit such as 1s, or a list of them';
      if (path.at(-2) === 'interval') return 'a duration with a unit, such as 250ms or 1s';
      if (DURATION_FIELDS.has(last)) return 'a duration with a unit, such as 500ms, 2s or 1m';
      if (SIZE_FIELDS.has(last)) return 'a size such as 512, 512B, 4KiB or 1MB';
      return types.map(typeWord).join(' or ');
    }
    case 'pattern':
      if (last === 'name') return 'a name of letters, digits, ".", "_" or "-" (up to 64)';
      if (last === 'drain') return 'auto or a duration with a unit, such as 3s';
      if (last === 'workers') return 'a number of threads or auto';
      if (SIZE_FIELDS.has(last)) return 'a size such as 512, 512B, 4KiB or 1MB';
      return 'a duration with a unit, such as 500ms, 2s or 1m';
    case 'minimum':
      return `a number ≥ ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `a number above ${String(params.limit)}`;
    case 'maximum':
      return `a number ≤ ${String(params.limit)}`;
    case 'maxDuration':
      return `a duration of at most ${String(params.limit)}`;
    case 'minSize':
      return `a size of at least ${String(params.limit)}`;
    case 'maxSize':
      return `a size of at most ${String(params.limit)}`;
    case 'minItems':
      return `at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `at most ${String(params.limit)} items`;
    case 'minProperties':
      return last === 'transports' || path.length === 0 ? 'at least one transport (polling, long-polling, sse, ws)' : `at least ${String(params.limit)} key`;
    default:
      return error.message ?? 'a valid value';
  }
}

/** Fields whose values are sizes (a number of bytes, or a size with a unit). */
const SIZE_FIELDS = new Set(['maxBuffered', 'payloadBytes']);

/** Fields whose values are durations: a bare number there is missing its unit. */
const DURATION_FIELDS = new Set(['duration', 'warmup', 'drain', 'timeout', 'sseHeartbeat', 'wsPing', 'keepAliveTimeout', 'publishDelay']);

function typeWord(type: string): string {
  return { integer: 'an integer', number: 'a number', string: 'a string', object: 'a mapping of keys', array: 'a list', boolean: 'true or false', null: 'nothing' }[type] ?? type;
}

/** " (did you mean …?)" when one option is close; otherwise the list of valid keys, if asked for. */
function suggest(value: string, options: string[], listOtherwise = true): string {
  if (options.length === 0) return '';
  const near = closest(value, options);
  if (distance(value, near) <= Math.max(2, Math.floor(value.length / 3))) return ` (did you mean "${near}"?)`;
  return listOtherwise ? `; valid keys: ${options.join(', ')}` : '';
}

function pathOf(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(data: unknown, path: string[]): unknown {
  let node = data;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // JSON would say null
  return JSON.stringify(value);
}

export { LineCounter };
