import { describe, expect, it } from 'vitest';
import { renderComparisonJson } from '../../src/compare/render-json.js';
import { renderComparisonMarkdown } from '../../src/compare/render-markdown.js';
import { renderComparisonTable } from '../../src/compare/render-table.js';
import type { Comparison } from '../../src/compare/types.js';

/** A comparison built by hand: renderers are pure functions of it. */
const comparison: Comparison = {
  scenario: 'default',
  baseline: { file: 'base.json', startedAt: '2025-03-01T10:00:00.000Z', status: 'complete', repeats: 1 },
  metrics: ['latency.p50', 'lost', 'bytes_per_event'],
  runs: [
    {
      candidate: { file: 'pr|1.json', startedAt: '2025-03-02T10:00:00.000Z', status: 'partial', repeats: 1 },
      warnings: ['pr|1.json ran with a different configuration: clients.count 10 → 20'],
      phases: [
        {
          key: 'sse',
          transport: 'sse',
          baselineRuns: 1,
          candidateRuns: 1,
          incomplete: false,
          metrics: [
            {
              metric: 'latency.p50',
              baseline: 2000,
              candidate: 26000,
              delta: 24000,
              relative: 12,
              verdict: 'regressed',
              noise: { method: 'quantile-interval', beyondNoise: true, baselineInterval: { low: 1900, high: 2400 }, candidateInterval: { low: 22000, high: 31000 }, baselineSamples: 27, candidateSamples: 27 },
            },
            { metric: 'lost', baseline: 0, candidate: 0, delta: 0, relative: 0, verdict: 'unchanged' },
            { metric: 'bytes_per_event', baseline: 155.25, candidate: 150, delta: -5.25, relative: -5.25 / 155.25, verdict: 'improved' },
          ],
        },
      ],
      onlyInBaseline: ['polling@1s'],
      onlyInCandidate: [],
      checks: [{ expression: 'latency.p50 > +10%', phase: 'sse', metric: 'latency.p50', actual: 12, ok: false, message: 'sse: latency.p50 2.00 ms → 26.0 ms (+24.0 ms, +1200.0%) is > +10%' }],
    },
  ],
};

describe('comparison renderers', () => {
  it('Markdown: a GitHub table with escaped cells, verdict marks, the checks and the noise method', () => {
    expect(renderComparisonMarkdown(comparison).split('\n')).toEqual(
      [
        '### rtbench compare · default',
        '',
        'Baseline `base.json` (started 2025-03-01T10:00:00.000Z, 1 run), candidate `pr|1.json` (started 2025-03-02T10:00:00.000Z, 1 run, partial).',
        '',
        '| phase | metric | baseline | candidate | change | change % | verdict | noise |',
        '| :-- | :-- | --: | --: | --: | --: | :-- | :-- |',
        '| sse | latency.p50 | 2.00 ms | 26.0 ms | +24.0 ms | +1200.0% | 🔴 **regressed** | beyond (intervals) |',
        '|  | lost | 0 | 0 | 0 | +0.0% | unchanged |  |',
        '|  | bytes_per_event | 155.3 B | 150 B | -5.25 B | -3.4% | 🟢 improved |  |',
        '',
        '1 regressed, 1 improved, 1 unchanged or within noise.',
        '',
        'Only in the baseline: `polling@1s`.',
        '',
        '> **Warning:** pr\\|1.json ran with a different configuration: clients.count 10 → 20',
        '',
        '**Checks** (`--fail-on`): 1 of 1 failed',
        '',
        '- ❌ `latency.p50 > +10%` sse: latency.p50 2.00 ms → 26.0 ms (+24.0 ms, +1200.0%) is \\> +10%',
        '',
        '<details><summary>How noise is judged</summary>',
        '',
        expect.stringMatching(/^- intervals: latency quantiles judged from the stored histograms/),
        '- Single runs see only within-run noise, and runs on a shared machine drift between them: without repeats a change under 10% (25% for CPU figures) is never called beyond noise.',
        expect.stringMatching(/^- Deterministic metrics/),
        '',
        '</details>',
        '',
      ],
    );
  });

  it('table: plain text without colour codes, one row per phase × metric, then the lists, warnings, checks and noise notes', () => {
    const text = renderComparisonTable(comparison);
    expect(text).not.toMatch(/\u001b\[/);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'rtbench compare · scenario default',
      '  baseline:  base.json (started 2025-03-01T10:00:00.000Z, 1 run)',
      '  candidate: pr|1.json (started 2025-03-02T10:00:00.000Z, 1 run, partial)',
    ]);
    expect(lines).toContain('│ sse   │ latency.p50     │  2.00 ms │   26.0 ms │ +24.0 ms │ +1200.0% │ regressed │ beyond (intervals) │');
    expect(lines).toContain('│       │ bytes_per_event │  155.3 B │     150 B │  -5.25 B │    -3.4% │ improved  │                    │');
    const after = lines.slice(lines.findIndex((l) => l.startsWith('└')) + 1);
    expect(after.slice(0, 7)).toEqual([
      '1 regressed, 1 improved, 1 unchanged or within noise',
      'Only in the baseline: polling@1s',
      'Warnings:',
      '  - pr|1.json ran with a different configuration: clients.count 10 → 20',
      'Checks (--fail-on):',
      '  FAIL  latency.p50 > +10%  sse: latency.p50 2.00 ms → 26.0 ms (+24.0 ms, +1200.0%) is > +10%',
      '',
    ]);
    expect(after[7]).toBe('Noise:');
  });

  it('JSON: the comparison model under a schema tag', () => {
    const parsed = JSON.parse(renderComparisonJson(comparison)) as Record<string, unknown>;
    expect(parsed).toEqual({ schema: 'rtbench.compare/1', ...comparison });
  });
});
