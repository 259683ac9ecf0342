import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { displayPath } from '../display-path.js';
import { rtbError } from '../errors.js';
import { findProfileFile, PROFILE_SCHEMA_PATH } from './profile-files.js';
import type { EmitSpec, HeaderTemplate, Marker, PollSpec, Profile, SseSpec, WsSpec } from './profile-types.js';
import { compileTemplate, withoutCursorParams, type Template } from './template.js';

/** A YAML file may not expand aliases past this (no "billion laughs" from a profile file). */
const MAX_ALIAS_COUNT = 100;

/**
 * `--profile NAME|FILE` → a checked Profile, or one RTB_ERR_PROFILE_INVALID line naming the
 * file (and line), the key and what was expected.
 */
export function loadProfile(nameOrPath: string): Profile {
  const { file, builtin } = findProfileFile(nameOrPath);
  const shown = builtin ? `built-in profile ${nameOrPath}` : `profile ${displayPath(file)}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw rtbError('RTB_ERR_PROFILE_INVALID', `cannot read ${shown}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    throw rtbError('RTB_ERR_PROFILE_INVALID', `${shown}:${lines.linePos(error.pos[0]).line}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw rtbError('RTB_ERR_PROFILE_INVALID', `${shown}: not usable YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return profileFromData(data, { shown, doc, lines });
}

/** Where a profile came from, so errors can name the file and line. */
export interface ProfileOrigin {
  /** "profile my.yaml", "built-in profile nchan", "scenarios/x.yaml target.profile". */
  readonly shown: string;
  readonly doc?: Document;
  readonly lines?: LineCounter;
  /** Path of the profile inside `doc` (an inline profile in a scenario). */
  readonly base?: readonly string[];
}

/** Parsed profile data (a file, or inline in a scenario) → a checked Profile. */
export function profileFromData(data: unknown, origin: ProfileOrigin): Profile {
  const errors = validateProfileShape(data);
  if (errors.length > 0) throw rtbError('RTB_ERR_PROFILE_INVALID', describeProfileError(errors, data, origin));
  return resolveProfile(data as RawProfile, origin);
}

let compiled: ValidateFunction | undefined;
let schemaRoot: SchemaNode | undefined;

function validateProfileShape(data: unknown): ErrorObject[] {
  schemaRoot ??= JSON.parse(readFileSync(PROFILE_SCHEMA_PATH, 'utf8')) as SchemaNode;
  compiled ??= new Ajv({ allErrors: true, allowUnionTypes: true, strict: false }).compile(schemaRoot);
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  definitions?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  $ref?: string;
}

/** The one most useful line for ajv's errors: an unknown key with a "did you mean", else the deepest error. */
function describeProfileError(errors: ErrorObject[], data: unknown, origin: ProfileOrigin): string {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  // oneOf reports every branch; the deepest path is the one the user meant.
  const best = unknown ?? [...errors].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0];
  const path = best.instancePath.split('/').slice(1).map(unescapePointer);
  if (best.keyword === 'additionalProperties') {
    const key = String((best.params as { additionalProperty: string }).additionalProperty);
    const allowed = allowedKeys(path);
    const near = allowed.length > 0 ? closest(key, allowed) : undefined;
    const hint = near !== undefined && distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${near}"?)` : '';
    return `${where(origin, [...path, key])}: unknown key "${[...path, key].join('.')}"${hint}; allowed here: ${allowed.join(', ')}`;
  }
  const field = path.length > 0 ? path.join('.') : '(top level)';
  const found = valueAt(data, path);
  const shownFound = found === undefined ? 'nothing' : JSON.stringify(found).slice(0, 80);
  if (best.keyword === 'required') {
    const missing = String((best.params as { missingProperty: string }).missingProperty);
    return `${where(origin, path)}: ${path.length > 0 ? `${field}: ` : ''}missing required key "${missing}"`;
  }
  const expected = expectedText(errors.filter((e) => e.instancePath === best.instancePath));
  return `${where(origin, path)}: ${field}: expected ${expected}; found ${shownFound}`;
}

function depth(e: ErrorObject): number {
  return e.instancePath.split('/').length;
}
function rank(e: ErrorObject): number {
  return e.keyword === 'oneOf' ? 2 : e.keyword === 'const' || e.keyword === 'enum' ? 1 : 0;
}

function expectedText(errors: ErrorObject[]): string {
  const options = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'enum') for (const v of (e.params as { allowedValues: unknown[] }).allowedValues) options.add(JSON.stringify(v));
    else if (e.keyword === 'const') options.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    else if (e.keyword === 'type') options.add(`a ${(e.params as { type: string }).type}`);
    else if (e.keyword === 'pattern') options.add(`text matching ${(e.params as { pattern: string }).pattern}`);
    else if (e.keyword !== 'oneOf') options.add(e.message ?? e.keyword);
  }
  return [...options].join(' or ') || 'another value';
}

function allowedKeys(path: readonly string[]): string[] {
  const root = schemaRoot!;
  let nodes: SchemaNode[] = [root];
  for (const key of path) {
    const next: SchemaNode[] = [];
    for (const node of nodes.flatMap((n) => expand(n, root))) {
      const child = node.properties?.[key];
      if (child !== undefined) next.push(child);
    }
    nodes = next;
  }
  return [...new Set(nodes.flatMap((n) => expand(n, root)).flatMap((n) => Object.keys(n.properties ?? {})))];
}

function expand(node: SchemaNode, root: SchemaNode): SchemaNode[] {
  if (node.$ref !== undefined) return expand(root.definitions![node.$ref.replace('#/definitions/', '')], root);
  if (node.oneOf !== undefined) return node.oneOf.flatMap((n) => expand(n, root));
  return [node];
}

function where(origin: ProfileOrigin, path: readonly string[]): string {
  const { doc, lines } = origin;
  if (doc === undefined || lines === undefined) return origin.shown;
  const full = [...(origin.base ?? []), ...path];
  for (let n = full.length; n >= 0; n--) {
    const node = doc.getIn(full.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return `${origin.shown}:${lines.linePos(node.range[0]).line}`;
  }
  return origin.shown;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

// ---------------------------------------------------------------- resolving

/** The profile's shape after the schema accepted it. */
interface RawProfile {
  name: string;
  description?: string;
  ready?: string | { url: string; status?: number[] };
  publish: { method?: string; url: string; headers?: Record<string, string>; body?: string; accepted?: number[] };
  marker?: RawMarker;
  transports?: Record<string, unknown>;
  driver?: 'socket.io' | null;
  'socket.io'?: { path?: string; namespace?: string; subscribe?: RawEmit; event?: string; publish?: RawEmit };
  'server-load'?: { processes?: 'pid' | 'tree'; stats?: { url: string; fields: Record<string, string> } };
}
interface RawEmit {
  event: string;
  args?: string[];
  ack?: boolean;
}
type RawMarker = 'scan' | 'verbatim' | { path: string };
interface RawSse {
  url: string;
  marker?: RawMarker;
  headers?: Record<string, string>;
  events?: string[];
  resume?: 'last-event-id' | 'none';
  'gap-comment'?: string;
}
interface RawWs {
  url?: string;
  marker?: RawMarker;
  headers?: Record<string, string>;
  subprotocols?: string[];
  'on-open'?: string[];
  'publish-frame'?: string;
  resume?: 'none' | { query: string };
  'gap-message'?: string;
}
interface RawPoll {
  url?: string;
  marker?: RawMarker;
  'first-url'?: string;
  headers?: Record<string, string>;
  cursor?: { from?: 'event-id' | 'none' | { json: string } | { headers: string[] }; send?: 'query' | { headers: Record<string, string> }; initial?: string | Record<string, string> };
  body?: 'v1' | 'single' | 'lines' | { 'json-array': string };
  'empty-status'?: number[];
  drain?: boolean;
  'connected-when'?: 'answer' | 'sent';
}

const EVENT_VARS = ['event', 'event|json'];

function resolveProfile(raw: RawProfile, origin: ProfileOrigin): Profile {
  const fail = (path: string[], message: string): never => {
    throw rtbError('RTB_ERR_PROFILE_INVALID', `${where(origin, path)}: ${path.join('.')}: ${message}`);
  };
  const template = (path: string[], text: string, allowed: readonly string[]): Template => {
    const t = compileTemplate(text);
    for (const name of t.names) {
      const ok = allowed.includes(name) || (name.startsWith('cursor.') && allowed.includes(name.toLowerCase()));
      if (!ok) fail(path, `unknown variable {${name}} in "${text}"; this key may use ${allowed.filter((a) => !a.startsWith('cursor.') || a === 'cursor.NAME').map((a) => `{${a}}`).join(', ') || 'no variables'}`);
    }
    return t;
  };
  const headers = (path: string[], map: Record<string, string> | undefined, allowed: readonly string[]): HeaderTemplate[] =>
    Object.entries(map ?? {}).map(([name, value]) => ({ name, value: template([...path, name], value, allowed) }));
  const jsonPath = (text: string): string[] => text.split('.').filter((p) => p !== '');
  const markerOf = (m: RawMarker): Marker => (m === 'scan' ? { kind: 'scan' } : m === 'verbatim' ? { kind: 'verbatim' } : { kind: 'path', path: jsonPath(m.path) });
  const ownMarker = (m: RawMarker | undefined): { marker?: Marker } => (m !== undefined ? { marker: markerOf(m) } : {});

  const transports = raw.transports ?? {};
  const driver = raw.driver ?? undefined;
  const out: { sse?: SseSpec; ws?: WsSpec; polling?: PollSpec; 'long-polling'?: PollSpec } = {};

  const sse = transports.sse as RawSse | 'unsupported' | undefined;
  if (sse !== undefined && sse !== 'unsupported') {
    if (driver !== undefined) fail(['transports', 'sse'], `the ${driver} driver has no SSE transport; set it to unsupported`);
    out.sse = {
      url: template(['transports', 'sse', 'url'], sse.url, ['topic']),
      ...ownMarker(sse.marker),
      headers: headers(['transports', 'sse', 'headers'], sse.headers, ['topic', 'now.httpdate']),
      events: (sse.events ?? ['']).map((e) => (e === 'message' ? '' : e)),
      resume: sse.resume ?? 'last-event-id',
      ...(sse['gap-comment'] !== undefined ? { gapComment: sse['gap-comment'] } : {}),
    };
  }

  const ws = transports.ws as RawWs | 'unsupported' | undefined;
  if (ws !== undefined && ws !== 'unsupported') {
    if (driver === undefined && ws.url === undefined) fail(['transports', 'ws'], 'missing required key "url"');
    const p = ['transports', 'ws'];
    out.ws = {
      url: template([...p, 'url'], ws.url ?? '', ['topic']),
      ...ownMarker(ws.marker),
      headers: headers([...p, 'headers'], ws.headers, ['topic']),
      subprotocols: ws.subprotocols ?? [],
      onOpen: (ws['on-open'] ?? []).map((f, i) => template([...p, 'on-open', String(i)], f, ['topic'])),
      ...(ws['publish-frame'] !== undefined ? { publishFrame: template([...p, 'publish-frame'], ws['publish-frame'], ['topic', ...EVENT_VARS]) } : {}),
      ...(typeof ws.resume === 'object' ? { resumeQuery: ws.resume.query } : {}),
      ...(ws['gap-message'] !== undefined ? { gapMessage: ws['gap-message'] } : {}),
    };
  }

  for (const transport of ['polling', 'long-polling'] as const) {
    const poll = transports[transport] as RawPoll | 'unsupported' | undefined;
    if (poll === undefined || poll === 'unsupported') continue;
    const p = ['transports', transport];
    if (driver !== undefined) {
      if (transport === 'polling') fail(p, `the ${driver} driver offers long-polling (Engine.IO polling), not interval polling; set polling to unsupported`);
      out[transport] = emptyPollSpec();
      continue;
    }
    if (poll.url === undefined) fail(p, 'missing required key "url"');
    const from = poll.cursor?.from ?? 'none';
    const cursorFrom: PollSpec['cursorFrom'] =
      from === 'event-id' ? { kind: 'event-id' } : from === 'none' ? { kind: 'none' } : 'json' in from ? { kind: 'json', path: jsonPath(from.json) } : { kind: 'headers', names: from.headers };
    const headerCursors = cursorFrom.kind === 'headers' ? cursorFrom.names.map((n) => `cursor.${n.toLowerCase()}`) : [];
    const cursorVars = cursorFrom.kind === 'none' ? [] : cursorFrom.kind === 'headers' ? ['cursor.NAME', ...headerCursors] : ['cursor'];
    const timeoutVars = ['timeoutMs', 'timeoutS'];
    const url = template([...p, 'url'], poll.url!, ['topic', ...cursorVars, ...timeoutVars]);
    const send = poll.cursor?.send ?? 'query';
    const cursorHeaders = typeof send === 'object' ? headers([...p, 'cursor', 'send', 'headers'], send.headers, [...cursorVars, 'now.httpdate']) : [];
    if (cursorFrom.kind !== 'none' && send === 'query' && !url.names.some((n) => n === 'cursor' || n.startsWith('cursor.'))) {
      fail([...p, 'url'], `the cursor is sent in the query (cursor.send: query) but the url "${poll.url}" has no {cursor}`);
    }
    const initial = poll.cursor?.initial;
    let initialCursor: Record<string, Template> | undefined;
    if (typeof initial === 'string' && initial !== 'omit') {
      initialCursor = { cursor: template([...p, 'cursor', 'initial'], initial, ['topic', 'now.httpdate']) };
    } else if (typeof initial === 'object') {
      if (cursorFrom.kind !== 'headers') fail([...p, 'cursor', 'initial'], 'a map of first values goes with cursor.from: {headers: [...]}; give one value (a string) for other cursors');
      initialCursor = {};
      for (const [name, value] of Object.entries(initial)) {
        if (!headerCursors.includes(`cursor.${name.toLowerCase()}`)) fail([...p, 'cursor', 'initial', name], `"${name}" is not one of the cursor headers (${(cursorFrom as { names: readonly string[] }).names.join(', ')})`);
        initialCursor[`cursor.${name.toLowerCase()}`] = template([...p, 'cursor', 'initial', name], value, ['topic', 'now.httpdate']);
      }
    }
    const firstUrl =
      poll['first-url'] !== undefined
        ? template([...p, 'first-url'], poll['first-url'], ['topic', ...timeoutVars, 'now.httpdate', ...(initialCursor !== undefined ? cursorVars : [])])
        : initialCursor !== undefined
          ? url
          : withoutCursorParams(url);
    const body = poll.body ?? 'single';
    out[transport] = {
      url,
      ...ownMarker(poll.marker),
      firstUrl,
      headers: headers([...p, 'headers'], poll.headers, ['topic', 'now.httpdate']),
      cursorFrom,
      cursorHeaders,
      ...(initialCursor !== undefined ? { initialCursor } : {}),
      body: typeof body === 'object' ? { kind: 'json-array', path: jsonPath(body['json-array']) } : { kind: body },
      emptyStatus: poll['empty-status'] ?? [],
      drain: poll.drain ?? false,
      connectedWhen: poll['connected-when'] ?? 'answer',
    };
  }

  if (Object.keys(out).length === 0) fail(['transports'], 'the profile offers no transport; describe at least one of sse, ws, polling, long-polling');
  if (driver === 'socket.io' && out.ws === undefined && out['long-polling'] === undefined) fail(['transports'], 'the socket.io driver needs ws or long-polling');

  const marker = markerOf(raw.marker ?? 'scan');

  const emit = (path: string[], e: RawEmit | undefined, allowed: readonly string[]): EmitSpec | undefined =>
    e === undefined ? undefined : { event: e.event, args: (e.args ?? []).map((a, i) => template([...path, 'args', String(i)], a, allowed)), ack: e.ack ?? false };
  const sio = raw['socket.io'];
  if (sio !== undefined && driver !== 'socket.io') fail(['socket.io'], 'socket.io options need driver: socket.io');

  const ready = raw.ready === undefined ? undefined : typeof raw.ready === 'string' ? { path: raw.ready, statuses: [] } : { path: raw.ready.url, statuses: raw.ready.status ?? [] };
  const stats = raw['server-load']?.stats;
  const statsFields: Record<string, RegExp> = {};
  for (const [name, pattern] of Object.entries(stats?.fields ?? {})) {
    try {
      statsFields[name] = new RegExp(pattern, 'm');
    } catch (error) {
      fail(['server-load', 'stats', 'fields', name], `not a regular expression: ${(error as Error).message}`);
    }
  }

  return {
    name: raw.name,
    source: origin.shown,
    description: raw.description ?? '',
    ...(ready ? { ready } : {}),
    publish: {
      method: raw.publish.method ?? 'POST',
      url: template(['publish', 'url'], raw.publish.url, ['topic']),
      headers: headers(['publish', 'headers'], raw.publish.headers, ['topic', 'now.httpdate']),
      body: template(['publish', 'body'], raw.publish.body ?? '{event}', ['topic', ...EVENT_VARS]),
      accepted: raw.publish.accepted ?? [200],
    },
    marker,
    transports: out,
    ...(driver !== undefined ? { driver } : {}),
    ...(driver === 'socket.io'
      ? {
          socketIo: {
            path: sio?.path ?? '/socket.io/',
            namespace: sio?.namespace ?? '/',
            ...(sio?.subscribe ? { subscribe: emit(['socket.io', 'subscribe'], sio.subscribe, ['topic']) } : {}),
            event: sio?.event ?? 'message',
            ...(sio?.publish ? { publish: emit(['socket.io', 'publish'], sio.publish, ['topic', ...EVENT_VARS]) } : {}),
          },
        }
      : {}),
    serverLoad: {
      processes: raw['server-load']?.processes ?? 'pid',
      ...(stats ? { stats: { path: stats.url, fields: statsFields } } : {}),
    },
  };
}

function emptyPollSpec(): PollSpec {
  const none = compileTemplate('');
  return { url: none, firstUrl: none, headers: [], cursorFrom: { kind: 'none' }, cursorHeaders: [], body: { kind: 'single' }, emptyStatus: [], drain: false, connectedWhen: 'answer' };
}
