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

/** One readable line for the most specific schema error: where, which field, expected vs found. */
export function describeSchemaError(errors: ErrorObject[], data: unknown, locator: ValueLocator): string {
  const best = pickError(errors);
  const path = pathOf(best.instancePath);
  const found = valueAt(data, path);
  // A flag names its field already (--clients is clients.count, --set names its path); a file line does not.
  const where = locator.where(path);
  const field = where.startsWith('--') ? '' : `${path.length > 0 ? path.join('.') : '(top level)'}: `;
  const more = errors.length > 1 && countDistinct(errors) > 1 ? ` (and ${countDistinct(errors) - 1} more problem${countDistinct(errors) > 2 ? 's' : ''})` : '';

  switch (best.keyword) {
    case 'additionalProperties': {
      const key = String((best.params as { additionalProperty: string }).additionalProperty);
      return `${locator.where(path, key)}: unknown key "${[...path, key].join('.')}"${suggest(key, allowedKeysAt(path))}${more}`;
    }
    case 'required': {
      const key = String((best.params as { missingProperty: string }).missingProperty);
      return `${where}: ${path.length > 0 ? field : ''}missing required key "${key}"${more}`;
    }
    case 'enum': {
      const allowed = ((best.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      return `${where}: ${field}expected one of ${allowed.join(', ')}; found ${show(found)}${typeof found === 'string' ? suggest(found, allowed, false) : ''}${more}`;
    }
    default:
      return `${where}: ${field}expected ${expectation(best, path)}; found ${show(found)}${more}`;
  }
}

/** Deepest error first (the most specific), and among equals a structural one before a value one. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject): number => (e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 1 : e.keyword === 'type' ? 3 : 2);
  return [...errors].sort((a, b) => pathOf(b.instancePath).length - pathOf(a.instancePath).length || rank(a) - rank(b))[0];
}

function countDistinct(errors: ErrorObject[]): number {
  return new Set(errors.map((e) => e.instancePath + (e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : ''))).size;
}

function expectation(error: ErrorObject, path: string[]): string {
  const last = path.at(-1) ?? '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      if (last === 'workers') return 'a number of threads or auto';
      if (last === 'interval' || path.at(-2) === 'interval') return 'a duration with a unit such as 1s, or a list of them';
      if (DURATION_FIELDS.has(last)) return 'a duration with a unit, such as 500ms, 2s or 1m';
      return types.map(typeWord).join(' or ');
    }
    case 'pattern':
      if (last === 'name') return 'a name of letters, digits, ".", "_" or "-" (up to 64)';
      if (last === 'drain') return 'auto or a duration with a unit, such as 3s';
      if (last === 'workers') return 'a number of threads or auto';
      if (last === 'maxBuffered') return 'a size such as 4MiB';
      return 'a duration with a unit, such as 500ms, 2s or 1m';
    case 'minimum':
      return `a number ≥ ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `a number above ${String(params.limit)}`;
    case 'maximum':
      return `a number ≤ ${String(params.limit)}`;
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
  return JSON.stringify(value);
}

export { LineCounter };
