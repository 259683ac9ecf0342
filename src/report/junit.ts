import type { ThresholdOutcome } from '../result/types.js';

/** One `<testsuite>`: a run's thresholds, or one comparison's `--fail-on` checks. */
export interface JunitSuite {
  readonly name: string;
  readonly outcomes: readonly ThresholdOutcome[];
  /** ISO 8601, e.g. the result's startedAt. */
  readonly timestamp?: string;
}

/**
 * Threshold outcomes as JUnit XML, for CI systems that read it (GitHub Actions reporters,
 * GitLab, Jenkins): one `<testcase>` per outcome, classname = the phase, name = the expression,
 * a failing one holding `<failure>` with the message. A pure function; every attribute and
 * text is escaped.
 */
export function renderJunit(suiteName: string, outcomes: readonly ThresholdOutcome[], options: { timestamp?: string } = {}): string {
  return renderJunitSuites([{ name: suiteName, outcomes, ...options }]);
}

/** Several suites in one document (compare with more than one candidate). */
export function renderJunitSuites(suites: readonly JunitSuite[]): string {
  const tests = suites.reduce((n, s) => n + s.outcomes.length, 0);
  const failures = suites.reduce((n, s) => n + s.outcomes.filter((o) => !o.ok).length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rtbench" tests="${tests}" failures="${failures}" errors="0">`,
    ...suites.map(renderSuite),
    '</testsuites>',
    '',
  ].join('\n');
}

function renderSuite(suite: JunitSuite): string {
  const failures = suite.outcomes.filter((o) => !o.ok).length;
  // JUnit's timestamp is a local date-time without zone or fraction (the Ant schema).
  const timestamp = suite.timestamp === undefined ? '' : ` timestamp="${xml(suite.timestamp.replace(/(\.\d+)?Z$/, ''))}"`;
  const names = caseNames(suite.outcomes);
  const cases = suite.outcomes.map((o, i) => {
    const open = `    <testcase classname="${xml(o.phase)}" name="${xml(names[i])}"`;
    if (o.ok) return `${open}>\n      <system-out>${xml(o.message)}</system-out>\n    </testcase>`;
    return `${open}>\n      <failure message="${xml(o.message)}" type="threshold">${xml(o.message)}</failure>\n    </testcase>`;
  });
  return [`  <testsuite name="${xml(suite.name)}" tests="${suite.outcomes.length}" failures="${failures}" errors="0" skipped="0"${timestamp}>`, ...cases, '  </testsuite>'].join('\n');
}

/** The expression, numbered "#1", "#2"… where one phase was checked more than once (run --repeat): CI tools merge same-named cases. */
function caseNames(outcomes: readonly ThresholdOutcome[]): string[] {
  const id = (o: ThresholdOutcome): string => `${o.phase}\u0000${o.expression}`;
  const total = new Map<string, number>();
  for (const o of outcomes) total.set(id(o), (total.get(id(o)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return outcomes.map((o) => {
    if (total.get(id(o))! === 1) return o.expression;
    const n = (seen.get(id(o)) ?? 0) + 1;
    seen.set(id(o), n);
    return `${o.expression} #${n}`;
  });
}

/**
 * Text or attribute value: the five XML entities escaped, line breaks and tabs as character
 * references (a parser would turn them into spaces inside an attribute), characters XML 1.0
 * forbids replaced by U+FFFD.
 */
function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
