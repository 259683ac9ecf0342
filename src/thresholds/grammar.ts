/**
 * The expression grammar of run thresholds (`--threshold`, a scenario's `thresholds:`) and
 * of `compare --fail-on` checks, and its parser. Hand-written and tiny, never evaluated as
 * code (docs/thresholds.md is the user's guide):
 *
 *   threshold  = lhs op value            e.g. sse.latency.p99 < 50ms, *.lost == 0
 *   check      = lhs op change           e.g. latency.p99 > +10%, *.bytes_per_event > +2%
 *   lhs        = [ selector "." ] metric       no spaces; no selector means "*"
 *   selector   = "*" | transport [ "@" variant ] [ "[" param "=" value "]" ]   (which phases: selectors.ts)
 *   metric     = a catalogue name (rtbench metrics)
 *              | "latency.p" ( digits | "(" number ")" )   any latency percentile, 0 < p ≤ 100
 *   op         = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   value      = number [ unit ]         the unit must fit the metric's (see parseValue)
 *   change     = ( "+" | "-" ) ( number "%" | number [ unit ] )
 *
 * Metric names contain dots (`latency.p99`, `server.cpu_us_per_event`) and so may sweep
 * labels in a selector (`ws[rate=0.5]`): the metric is the longest catalogue name the
 * left-hand side ends with (or a latency percentile), and the selector is what comes before.
 * Every problem throws RTB_ERR_THRESHOLD_INVALID (exit 2) naming the expression and what is
 * wrong: nothing runs with an expression that could not be evaluated.
 */
import { closest } from 'fastest-levenshtein';
import { rtbError, type RtbError } from '../errors.js';
import { isMetricName, METRIC_NAMES, metricDefinition, type MetricUnit } from '../metrics/catalog.js';
import { readLatencyPercentile, type AnyMetricName } from '../metrics/latency-percentile.js';
import { TRANSPORTS } from '../protocol/transports.js';
import { parseBytes, parseDurationUs } from '../units.js';

/** The comparison operators of the grammar. */
export const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const;

export type Comparator = (typeof COMPARATORS)[number];

/**
 * A run threshold, `<selector>.<metric> <op> <value>`: the condition that must hold for the
 * run to pass, checked against every phase the selector matches.
 */
export interface Threshold {
  /** As written (trimmed), for messages and reports. */
  readonly expression: string;
  /** `*` (every phase), a transport name, or a phase key such as `polling@1s` or `sse[clients=500]`. */
  readonly selector: string;
  readonly metric: AnyMetricName;
  readonly op: Comparator;
  /** The limit in the metric's catalogue unit (µs, bytes, fraction, …). */
  readonly limit: number;
  /** The limit as written, e.g. "50ms". */
  readonly limitText: string;
}

/**
 * A relative check for `compare --fail-on`, `[<selector>.]<metric> <op> <signed change>`: the
 * *failing* condition, stated as a change from the baseline to the candidate.
 */
export interface RelativeCheck {
  readonly expression: string;
  readonly selector: string;
  readonly metric: AnyMetricName;
  readonly op: Comparator;
  /** `relative`: (candidate − baseline) / baseline, +10% = 0.1. `absolute`: candidate − baseline in the metric's unit. */
  readonly change: { readonly kind: 'relative' | 'absolute'; readonly value: number };
  /** The change as written, e.g. "+10%". */
  readonly changeText: string;
}

/** Where an expression came from, as its error messages name it. */
export type ExpressionSource = 'threshold' | '--fail-on';

/** Reports what is wrong with one expression; every parse step throws through it. */
export type Fail = (what: string) => never;

/** The one error of the grammar: `threshold "<expression>": <what is wrong>` (RTB_ERR_THRESHOLD_INVALID, exit 2). */
export function invalidExpression(source: ExpressionSource, expression: string, what: string): RtbError {
  return rtbError('RTB_ERR_THRESHOLD_INVALID', `${source} "${expression}": ${what}`);
}

/** "unknown metric "latncy.p99"; nearest is "latency.p99" (rtbench metrics lists them all)": the shared wording for a metric name not in the catalogue. */
export function unknownMetric(name: string): string {
  return `unknown metric "${name}"; nearest is "${closest(name, METRIC_NAMES)}" (rtbench metrics lists them all)`;
}

/**
 * Run thresholds → checked, typed thresholds. Throws RTB_ERR_THRESHOLD_INVALID on the first
 * bad expression, naming it and what is wrong.
 */
export function parseThresholds(expressions: readonly string[]): Threshold[] {
  return expressions.map(parseThreshold);
}

export function parseThreshold(text: string): Threshold {
  const { expression, selector, metric, op, rhs, fail } = parseCondition(text, 'threshold');
  if (rhs.startsWith('+') || rhs.startsWith('-')) {
    fail(`"${rhs}" is a change; changes from a baseline are for compare --fail-on. A run threshold needs an absolute value such as 50ms`);
  }
  return { expression, selector, metric, op, limit: parseValue(rhs, metric, fail), limitText: rhs };
}

/**
 * `compare --fail-on` expressions → relative checks. Same left side and operators as run
 * thresholds, but the value is a signed change from the baseline, and the expression states
 * when to FAIL: `latency.p99 > +10%` fails when p99 grew by more than 10 %.
 * - `+10%`, `-5%`: relative change, (candidate − baseline) / baseline;
 * - `+2ms`, `+0`, `-0.001`: absolute change in the metric's unit (units as for thresholds).
 * Throws RTB_ERR_THRESHOLD_INVALID on the first bad expression.
 */
export function parseRelativeChecks(expressions: readonly string[]): RelativeCheck[] {
  return expressions.map(parseRelativeCheck);
}

export function parseRelativeCheck(text: string): RelativeCheck {
  const { expression, selector, metric, op, rhs, fail } = parseCondition(text, '--fail-on');
  const sign = rhs[0] === '+' ? 1 : rhs[0] === '-' ? -1 : 0;
  if (sign === 0) fail(`"${rhs}" has no sign; --fail-on states a change from the baseline, e.g. +10%, +2ms or +0`);
  const magnitude = rhs.slice(1).trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(magnitude);
  const change = percent
    ? { kind: 'relative' as const, value: roundDecimal((sign * Number(percent[1])) / 100) }
    : { kind: 'absolute' as const, value: sign * parseValue(magnitude, metric, fail) };
  return { expression, selector, metric, op, change, changeText: rhs };
}

/** What thresholds and checks share: `[<selector>.]<metric> <op>`, and the value still as text. */
interface Condition {
  readonly expression: string;
  readonly selector: string;
  readonly metric: AnyMetricName;
  readonly op: Comparator;
  readonly rhs: string;
  /** Throws RTB_ERR_THRESHOLD_INVALID naming this expression. */
  readonly fail: Fail;
}

function parseCondition(text: string, source: ExpressionSource): Condition {
  const expression = text.trim();
  const fail: Fail = (what) => {
    throw invalidExpression(source, expression, what);
  };
  const { lhs, op, rhs } = splitExpression(expression, fail);
  const { selector, metric } = parseMetricPath(lhs, fail);
  return { expression, selector, metric, op, rhs, fail };
}

const OPERATOR_CHARS = '<>=!';
const OPERATORS = COMPARATORS.join(' ');

/**
 * Splits `<lhs> <op> <rhs>` at its one comparison operator. Hand-scanned rather than split by
 * a regular expression because a phase key may itself hold `=` inside brackets
 * (`sse[clients=500]`), which is not an operator.
 */
function splitExpression(expression: string, fail: Fail): { lhs: string; op: Comparator; rhs: string } {
  if (expression === '') fail(`is empty; expected <selector>.<metric> <op> <value>, e.g. sse.latency.p99 < 50ms`);
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (depth > 0 || !OPERATOR_CHARS.includes(c)) continue;
    const op = operatorAt(expression, i, fail);
    const lhs = expression.slice(0, i).trim();
    const rhs = expression.slice(i + op.length).trim();
    if (lhs === '') fail(`nothing before "${op}"; expected <selector>.<metric>, e.g. sse.latency.p99`);
    if (rhs === '') fail(`no value after "${op}"`);
    if ([...OPERATOR_CHARS].some((o) => rhs.includes(o))) fail('has more than one comparison operator; write one condition per expression');
    return { lhs, op, rhs };
  }
  return fail(`has no comparison operator; expected <selector>.<metric> <op> <value> with <op> one of ${OPERATORS}`);
}

/** The operator starting at `i` (an operator character): two characters when the second is `=`. */
function operatorAt(expression: string, i: number, fail: Fail): Comparator {
  const [c, next] = [expression[i], expression[i + 1]];
  if (next === '=') return `${c}=` as Comparator;
  if (c === '<' || c === '>') return c;
  if (c === '=' && (next === '>' || next === '<')) return fail(`"=${next}" is not an operator; write ${next}=`);
  return fail(`"${c}" is not an operator; use one of ${OPERATORS}`);
}

/** Catalogue names, longest first: the metric is the longest name the left-hand side ends with. */
const BY_LENGTH = [...METRIC_NAMES].sort((a, b) => b.length - a.length);
const PERCENTILE_START = 'latency.p';

/** `<selector>.<metric>` → its two parts; no selector means `*`. */
function parseMetricPath(lhs: string, fail: Fail): { selector: string; metric: AnyMetricName } {
  if (/\s/.test(lhs)) fail(`"${lhs}" contains a space; write <selector>.<metric> without spaces, e.g. sse.latency.p99`);
  for (const name of BY_LENGTH) {
    if (lhs === name) return { selector: '*', metric: name };
    if (lhs.endsWith(`.${name}`)) return { selector: selectorBefore(lhs, name.length, fail), metric: name };
  }
  // Any latency percentile: `latency.p95`, `sse.latency.p(99.99)`.
  const start = lhs.startsWith(PERCENTILE_START) ? 0 : lhs.lastIndexOf(`.${PERCENTILE_START}`) + 1;
  const read = readLatencyPercentile(lhs.slice(start));
  if (read !== undefined) {
    if ('problem' in read) return fail(read.problem);
    return { selector: start === 0 ? '*' : selectorBefore(lhs, lhs.length - start, fail), metric: read.metric };
  }
  // No catalogue name: say which part is the unknown metric, and the nearest real one.
  const selectorEnd = firstDotOutsideBrackets(lhs);
  const head = selectorEnd < 0 ? lhs : lhs.slice(0, selectorEnd);
  if (selectorProblem(head) === undefined) {
    const metric = selectorEnd < 0 ? '' : lhs.slice(selectorEnd + 1);
    if (metric === '') fail(`"${lhs}" names phases but no metric; write ${head}.<metric>, e.g. ${head}.latency.p99`);
    if (!isMetricName(metric)) fail(unknownMetric(metric));
  }
  return fail(unknownMetric(lhs));
}

/** The selector of `lhs` whose metric is its last `metricLength` characters, validated. */
function selectorBefore(lhs: string, metricLength: number, fail: Fail): string {
  const selector = lhs.slice(0, -(metricLength + 1));
  validateSelector(selector, fail);
  return selector;
}

/**
 * Selectors: `*` matches every phase; a transport name every phase of that transport (all
 * variants and sweep values); `transport@variant` that variant at every sweep value; a full
 * phase key (`sse[clients=500]`, `polling@1s[rate=50]`) that phase only. Repeats of a phase
 * share its key, so a selector matches every repeat (matching: selectors.ts).
 */
const PHASE_KEY = /^([a-z-]+)(@[A-Za-z0-9._-]+)?(@h2)?(\+tls)?(\[[A-Za-z]+=[^\]\s]+\])?$/;

/** What is wrong with `selector`, or undefined when it can name phases: `*`, a transport, or a phase key of a known transport. */
function selectorProblem(selector: string): string | undefined {
  if (selector === '*') return undefined;
  const transport = transportOf(selector);
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    return `unknown selector "${selector}"; expected *, a transport (${TRANSPORTS.join(', ')}) or a phase key such as polling@1s or sse[clients=500]; nearest transport is "${closest(transport, [...TRANSPORTS])}"`;
  }
  if (!PHASE_KEY.test(selector)) return `"${selector}" is not a phase key; expected <transport>[@<variant>][@h2][+tls][[<param>=<value>]], e.g. polling@1s, sse@h2+tls or sse[clients=500]`;
  return undefined;
}

function validateSelector(selector: string, fail: Fail): void {
  const problem = selectorProblem(selector);
  if (problem !== undefined) fail(problem);
}

/** The transport a selector or phase key starts with: `polling@1s[clients=10]` → `polling`, `ws+tls` → `ws`. */
export function transportOf(keyOrSelector: string): string {
  return /^[^@[+]*/.exec(keyOrSelector)![0];
}

function firstDotOutsideBrackets(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth = Math.max(0, depth - 1);
    else if (text[i] === '.' && depth === 0) return i;
  }
  return -1;
}

const NUMBER = /^(\d+(?:\.\d+)?)\s*(.*)$/;

const EXAMPLE: Record<MetricUnit, string> = {
  us: 'a duration such as 50ms',
  bytes: 'a size such as 200B or 4KiB',
  count: 'a count such as 0',
  ratio: 'a number such as 1.5',
  fraction: 'a percentage such as 99.9%',
  percent: 'a percentage such as 50%',
  per_second: 'a rate such as 1000',
};

/**
 * A value as written in an expression (unsigned) → the metric's catalogue unit. The unit
 * written must fit the metric's:
 * - `us`: a duration (`800us`, `50ms`, `2s`, `1m30s`); a plain number is ambiguous and refused, unless
 *   the metric's name itself says µs (`server.cpu_us_per_event < 20`);
 * - `bytes`: a size (`200B`, `4KiB`, `1.5MB`) or a plain number of bytes;
 * - `fraction`: a percentage (`99.9%` = 0.999) or a plain number from 0 to 1;
 * - `percent`: a number with or without `%` (`50%` = 50);
 * - `count`, `ratio`, `per_second`: a plain number.
 */
function parseValue(text: string, metric: AnyMetricName, fail: Fail): number {
  const unit = metricDefinition(metric).unit;
  const match = NUMBER.exec(text);
  if (match === null) return fail(`"${text}" is not a value for ${metric}; expected ${EXAMPLE[unit]}`);
  const number = Number(match[1]);
  const suffix = match[2];
  switch (unit) {
    case 'us': {
      if (suffix === '') {
        if (/(^|[._])us([._]|$)/.test(metric)) return number;
        return fail(`${metric} is a duration; add a unit: ${match[1]}ms, ${match[1]}us or ${match[1]}s`);
      }
      const us = parseDurationUs(text);
      if (us === undefined) return fail(`${metric} is a duration; "${text}" is not one (units: us, ms, s, m, h, as in 50ms or 1m30s)`);
      return us;
    }
    case 'bytes': {
      const factor = suffix === '' ? 1 : parseBytes(`1${suffix}`);
      if (factor === undefined) return fail(`${metric} is a size; "${text}" is not one (units: B, KB, KiB, MB, MiB, GB, GiB)`);
      return number * factor;
    }
    case 'fraction':
      if (suffix === '%') return roundDecimal(number / 100);
      if (suffix !== '') return fail(`${metric} is a fraction; write a percentage such as 99.9% or a number from 0 to 1`);
      if (number > 1) return fail(`${metric} is a fraction from 0 to 1; write ${match[1]}% or ${roundDecimal(number / 100)}`);
      return number;
    case 'percent':
      if (suffix === '%' || suffix === '') return number;
      return fail(`${metric} is a percentage; write a number such as 50 or 50%`);
    case 'count':
    case 'ratio':
    case 'per_second':
      if (suffix === '') return number;
      return fail(`${metric} is a ${unit === 'per_second' ? 'rate per second' : unit} without a unit; write a plain number, not "${text}"`);
  }
}

/** 99.9 / 100 is 0.9990000000000001 in floating point; a limit the user wrote as 99.9% must be exactly 0.999. */
function roundDecimal(x: number): number {
  return Number(x.toPrecision(12));
}
