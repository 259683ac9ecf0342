import { describe, expect, it } from 'vitest';
import { renderJunit, renderJunitSuites } from '../../src/report/junit.js';
import type { ThresholdOutcome } from '../../src/result/types.js';

const pass: ThresholdOutcome = { expression: '*.lost == 0', phase: 'sse', metric: 'lost', actual: 0, ok: true, message: 'sse: lost 0 == 0' };
const fail: ThresholdOutcome = {
  expression: 'ws.latency.p99 < 5ms',
  phase: 'ws',
  metric: 'latency.p99',
  actual: 6200,
  ok: false,
  message: 'ws: latency.p99 6.20 ms, expected < 5ms',
};

describe('JUnit XML from threshold outcomes', () => {
  it('one testsuite, a testcase per outcome, a failure element for each failed one', () => {
    expect(renderJunit('rtbench run default', [pass, fail], { timestamp: '2025-03-01T10:20:30.123Z' })).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="rtbench" tests="2" failures="1" errors="0">',
        '  <testsuite name="rtbench run default" tests="2" failures="1" errors="0" skipped="0" timestamp="2025-03-01T10:20:30">',
        '    <testcase classname="sse" name="*.lost == 0">',
        '      <system-out>sse: lost 0 == 0</system-out>',
        '    </testcase>',
        '    <testcase classname="ws" name="ws.latency.p99 &lt; 5ms">',
        '      <failure message="ws: latency.p99 6.20 ms, expected &lt; 5ms" type="threshold">ws: latency.p99 6.20 ms, expected &lt; 5ms</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('escapes the five XML characters, line breaks in attributes, and characters XML forbids', () => {
    const nasty: ThresholdOutcome = { ...fail, phase: 'sse[clients=5]', expression: `a<b>&"c'`, message: 'line one\nline\ttwo\u0007 and \u{1F600}' };
    const xml = renderJunit('s & <t>', [nasty]);
    expect(xml).toContain('<testsuite name="s &amp; &lt;t&gt;"');
    expect(xml).toContain('<testcase classname="sse[clients=5]" name="a&lt;b&gt;&amp;&quot;c&apos;">');
    expect(xml).toContain('<failure message="line one&#10;line&#9;two\uFFFD and \u{1F600}" type="threshold">');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
  });

  it('a phase checked more than once (run --repeat) gets numbered names so CI tools keep every case', () => {
    const xml = renderJunit('r', [pass, { ...pass, message: 'sse #2: lost 0 == 0' }, { ...pass, phase: 'ws', message: 'ws: lost 0 == 0' }]);
    expect(xml.match(/ name="[^"]*"/g)).toEqual([' name="rtbench"', ' name="r"', ' name="*.lost == 0 #1"', ' name="*.lost == 0 #2"', ' name="*.lost == 0"']);
  });

  it('several suites (compare with several candidates) add up in <testsuites>', () => {
    const xml = renderJunitSuites([
      { name: 'a → b', outcomes: [pass, fail] },
      { name: 'a → c', outcomes: [fail] },
      { name: 'a → d', outcomes: [] },
    ]);
    expect(xml).toContain('<testsuites name="rtbench" tests="3" failures="2" errors="0">');
    expect(xml).toContain('<testsuite name="a → c" tests="1" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<testsuite name="a → d" tests="0" failures="0" errors="0" skipped="0">\n  </testsuite>');
  });
});
