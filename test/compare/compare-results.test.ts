import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean } from 'simple-statistics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedResult } from '../../src/compare/comparable.js';
import { compareResults, DEFAULT_COMPARE_METRICS } from '../../src/compare/compare-results.js';
import type { ComparedRun, MetricComparison } from '../../src/compare/types.js';
import { metricDefinition, type MetricName } from '../../src/metrics/catalog.js';
import { welchTest } from '../../src/compare/welch-test.js';
import { phaseMetricValue } from '../../src/result/metric-value.js';
import { readResult } from '../../src/result/read-result.js';
import { parseRelativeChecks } from '../../src/thresholds/grammar.js';
import { produceResult } from '../helpers/results.js';

let dir: string;
const r: Record<'base' | 'same' | 'delay' | 'rep1' | 'rep2', LoadedResult> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtb-compare-'));
  const runs: [keyof typeof r, string[]][] = [
    ['base', []],
    ['same', []],
    // Fault injection: every publish held 20 ms by the server, so every delivery is ~20 ms later.
    ['delay', ['--set', 'server.publishDelay=20ms']],
    ['rep1', ['--repeat', '2']],
    ['rep2', ['--repeat', '2']],
  ];
  for (const [name, extra] of runs) {
    const file = await produceResult(join(dir, `${name}.json`), extra);
    r[name] = { file, result: await readResult(file) };
  }
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function row(run: ComparedRun, key: string, metric: MetricName): MetricComparison {
  return run.phases.find((p) => p.key === key)!.metrics.find((m) => m.metric === metric)!;
}

describe('compare two real results', () => {
  it('matches phases by key and shows the default metrics with deltas', () => {
    const c = compareResults([r.base, r.same]);
    expect(c.scenario).toBe('default');
    expect(c.baseline).toMatchObject({ file: r.base.file, repeats: 1, status: 'complete' });
    expect(c.runs).toHaveLength(1);
    const [run] = c.runs;
    expect(run.phases.map((p) => p.key)).toEqual(['sse', 'ws']);
    expect(run.onlyInBaseline).toEqual([]);
    expect(run.onlyInCandidate).toEqual([]);
    expect(run.warnings).toEqual([]);
    for (const phase of run.phases) {
      expect(phase.metrics.map((m) => m.metric)).toEqual(DEFAULT_COMPARE_METRICS);
      for (const m of phase.metrics) {
        const a = r.base.result.phases.find((p) => p.key === phase.key)!.metrics[m.metric as MetricName];
        const b = r.same.result.phases.find((p) => p.key === phase.key)!.metrics[m.metric as MetricName];
        expect([m.baseline, m.candidate]).toEqual([a, b]);
        if (a !== null && b !== null) {
          expect(m.delta).toBeCloseTo(b - a, 9);
          if (a !== 0) expect(m.relative).toBeCloseTo((b - a) / Math.abs(a), 9);
        }
      }
    }
  });

  it('judges latency quantiles by histogram intervals, and deterministic metrics not at all', () => {
    const [run] = compareResults([r.base, r.same]).runs;
    for (const key of ['sse', 'ws']) {
      for (const metric of ['latency.p50', 'latency.p99'] as const) {
        const noise = row(run, key, metric).noise!;
        expect(noise.method).toBe('quantile-interval');
        if (noise.method !== 'quantile-interval') continue;
        const events = r.base.result.phases.find((p) => p.key === key)!.metrics['publisher.events']!;
        expect(noise.baselineSamples).toBe(events);
        expect(noise.baselineInterval.low).toBeLessThanOrEqual(row(run, key, metric).baseline!);
        if (noise.baselineInterval.high !== null) expect(noise.baselineInterval.high).toBeGreaterThanOrEqual(row(run, key, metric).baseline!);
      }
      for (const metric of ['lost', 'delivered_ratio'] as const) {
        expect(metricDefinition(metric).deterministic).toBe(true);
        expect(row(run, key, metric).noise).toBeUndefined();
      }
      // Deterministic only with fixed arrivals; a single Poisson run has no noise estimate for them either.
      for (const metric of ['bytes_per_event', 'requests_per_event'] as const) {
        expect(metricDefinition(metric).deterministic).toBe('fixed-arrivals');
        expect(row(run, key, metric).noise).toBeUndefined();
      }
      // A single run has no noise estimate for CPU.
      expect(row(run, key, 'server.cpu_us_per_event').noise).toBeUndefined();
    }
  });

  it('an injected 20 ms server delay is a latency regression beyond noise', () => {
    const [run] = compareResults([r.base, r.delay]).runs;
    for (const key of ['sse', 'ws']) {
      const p50 = row(run, key, 'latency.p50');
      expect(p50.delta!).toBeGreaterThan(15_000);
      expect(p50.noise).toMatchObject({ method: 'quantile-interval', beyondNoise: true });
      expect(p50.verdict).toBe('regressed');
    }
    expect(run.warnings).toEqual([`${r.delay.file} ran with a different configuration: server.publishDelayMs (unset) → 20`]);
  });

  it('--fail-on fails on a latency regression beyond noise, and says why', () => {
    const [run] = compareResults([r.base, r.delay], { failOn: parseRelativeChecks(['latency.p50 > +50%']) }).runs;
    expect(run.checks.map((c) => [c.phase, c.ok])).toEqual([
      ['sse', false],
      ['ws', false],
    ]);
    for (const check of run.checks) {
      expect(check.message).toMatch(/^(sse|ws): latency\.p50 .+ → .+ \(\+.+, \+.+%\) is > \+50%, beyond noise: 95% intervals .+ vs .+ do not overlap$/);
      expect(check.actual!).toBeGreaterThan(0.5);
    }
  });

  it('--fail-on on a deterministic metric fails on any change meeting the condition, with no noise excuse', () => {
    const [run] = compareResults([r.base, r.same], { failOn: parseRelativeChecks(['*.clients >= +0', '*.clients > +0']) }).runs;
    expect(run.checks.map((c) => [c.expression, c.phase, c.ok, c.message])).toEqual([
      ['*.clients >= +0', 'sse', false, 'sse: clients 10 → 10 (0, +0.0%) is >= +0'],
      ['*.clients >= +0', 'ws', false, 'ws: clients 10 → 10 (0, +0.0%) is >= +0'],
      ['*.clients > +0', 'sse', true, 'sse: clients 10 → 10 (0, +0.0%)'],
      ['*.clients > +0', 'ws', true, 'ws: clients 10 → 10 (0, +0.0%)'],
    ]);
  });

  it('a --fail-on selector that matches no phase in both files is an error, not a pass', () => {
    expect(() => compareResults([r.base, r.same], { failOn: parseRelativeChecks(['polling.lost > +0']) })).toThrow(
      expect.objectContaining({
        code: 'RTB_ERR_THRESHOLD_INVALID',
        message: `--fail-on "polling.lost > +0": selector "polling" matches none of the phases present in both ${r.base.file} and ${r.same.file} (sse, ws)`,
      }),
    );
  });

  it('phases present on one side only are listed as such', () => {
    const wsOnly: LoadedResult = { file: 'ws-only.json', result: { ...r.same.result, phases: r.same.result.phases.filter((p) => p.key === 'ws') } };
    const [run] = compareResults([r.base, wsOnly]).runs;
    expect(run.phases.map((p) => p.key)).toEqual(['ws']);
    expect(run.onlyInBaseline).toEqual(['sse']);
    expect(run.onlyInCandidate).toEqual([]);
  });

  it('several candidates are each compared with the first file', () => {
    const c = compareResults([r.base, r.same, r.delay], { metrics: ['latency.p50', 'lost'] });
    expect(c.runs.map((run) => run.candidate.file)).toEqual([r.same.file, r.delay.file]);
    expect(c.runs[1].phases[0].metrics.map((m) => m.metric)).toEqual(['latency.p50', 'lost']);
  });

  it('results of another scenario cannot be compared', () => {
    const other: LoadedResult = { file: 'other.json', result: { ...r.same.result, scenario: { name: 'ticker', description: '' } } };
    expect(() => compareResults([r.base, other])).toThrow(
      expect.objectContaining({ code: 'RTB_ERR_RESULT_MISMATCH', exitCode: 2, message: `other.json comes from scenario "ticker" but the baseline ${r.base.file} from "default"; compare results of the same scenario` }),
    );
  });
});

describe('compare repeated results (run --repeat 2)', () => {
  it("both sides repeated: Welch's t-test over the per-run values decides, for latency and CPU", () => {
    const [run] = compareResults([r.rep1, r.rep2]).runs;
    expect(run.phases.map((p) => [p.key, p.baselineRuns, p.candidateRuns])).toEqual([
      ['sse', 2, 2],
      ['ws', 2, 2],
    ]);
    for (const key of ['sse', 'ws']) {
      for (const metric of ['latency.p50', 'latency.p99', 'latency.max', 'server.cpu_us_per_event'] as const) {
        const m = row(run, key, metric);
        expect(m.noise).toMatchObject({ method: 'welch-t-test', baselineRuns: 2, candidateRuns: 2 });
        if (m.noise?.method !== 'welch-t-test') continue;
        // The test runs on the per-run values of exactly this phase and metric, baseline first.
        const perRun = (side: LoadedResult): number[] => side.result.phases.filter((p) => p.key === key).map((p) => phaseMetricValue(p, metric)!);
        expect(m.noise.pValue).toBe(welchTest(perRun(r.rep1), perRun(r.rep2)).pValue);
        expect(m.noise.beyondNoise).toBe(m.noise.pValue < 0.05);
      }
      // The figure shown is the mean over the repeats.
      const perRun = r.rep1.result.phases.filter((p) => p.key === key).map((p) => p.metrics['latency.p99']!);
      expect(perRun).toHaveLength(2);
      expect(row(run, key, 'latency.p99').baseline).toBeCloseTo(mean(perRun), 9);
      expect(row(run, key, 'lost').noise).toBeUndefined();
    }
  });

  it('bytes and requests per event: judged by the t-test with Poisson arrivals, not judged at all with fixed ones', () => {
    const [poisson] = compareResults([r.rep1, r.rep2]).runs;
    for (const key of ['sse', 'ws']) expect(row(poisson, key, 'bytes_per_event').noise).toMatchObject({ method: 'welch-t-test' });
    const fixed = (side: LoadedResult): LoadedResult => ({ ...side, result: { ...side.result, phases: side.result.phases.map((p) => ({ ...p, params: { ...p.params, arrival: 'fixed' as const } })) } });
    const [steady] = compareResults([fixed(r.rep1), fixed(r.rep2)]).runs;
    for (const key of ['sse', 'ws']) {
      expect(row(steady, key, 'bytes_per_event').noise).toBeUndefined();
      expect(row(steady, key, 'requests_per_event').noise).toBeUndefined();
      // Latency is never deterministic.
      expect(row(steady, key, 'latency.p50').noise).toMatchObject({ method: 'welch-t-test' });
    }
  });

  it('only one side repeated: latency falls back to the histogram intervals over the merged repeats', () => {
    const [run] = compareResults([r.base, r.rep1]).runs;
    const noise = row(run, 'sse', 'latency.p50').noise!;
    expect(noise.method).toBe('quantile-interval');
    if (noise.method !== 'quantile-interval') return;
    const events = r.rep1.result.phases.filter((p) => p.key === 'sse').reduce((n, p) => n + p.metrics['publisher.events']!, 0);
    expect(noise.candidateSamples).toBe(events);
    expect(row(run, 'sse', 'server.cpu_us_per_event').noise).toBeUndefined();
  });
});
