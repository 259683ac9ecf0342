import { describe, expect, it } from 'vitest';
import { newHistogram, type Histogram } from '../../src/metrics/histogram.js';
import { LATENCY_BUCKETS_US, LiveMetrics } from '../../src/report/live-metrics.js';
import { histogramSamples, renderExposition } from '../../src/report/live-metrics-text.js';
import type { PhaseResult } from '../../src/result/types.js';
import type { PhasePlan } from '../../src/runner/plan.js';
import type { PhaseTotals, SecondRecord } from '../../src/runner/progress.js';

const PLANS = [
  { key: 'sse', transport: 'sse', repeat: 1 },
  { key: 'ws', transport: 'ws', repeat: 1 },
] as unknown as PhasePlan[];

function record(phase: string, t: number, connected: number): SecondRecord {
  return { phase, transport: phase, t, stage: 'measuring', connected, delivered: 0, requests: 0, bytesDown: 0, latencyP50Us: null, latencyP99Us: null, serverCpuPercent: null, serverRssBytes: null, generatorCpuPercent: null };
}

function totals(delivered: number, more: Partial<PhaseTotals> = {}): PhaseTotals {
  return { delivered, requests: 1, bytesDown: 10 * delivered, bytesUp: 5, duplicated: 0, reconnects: 0, generatorCpuUs: null, ...more };
}

function histogramOf(values: readonly number[]): Histogram {
  const h = newHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

/** `name{phase="…",…}` → value, for the samples of one phase (and one `le`, for buckets). */
function read(text: string, name: string, phase: string, le?: string): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null || m[1] !== name || !m[2].includes(`phase="${phase}"`)) continue;
    if (le !== undefined && !m[2].includes(`le="${le}"`)) continue;
    return m[3] === '+Inf' ? Infinity : Number(m[3]);
  }
  return undefined;
}

describe('LiveMetrics: the per-second feed as Prometheus series', () => {
  // Log-spread over 40 µs … 90 s, none within 0.1 % of a bucket bound (HDR keeps 3 significant digits).
  const values = Array.from({ length: 3000 }, (_, i) => Math.round(40 * Math.pow(90e6 / 40, i / 2999))).filter((v) => LATENCY_BUCKETS_US.every((b) => Math.abs(v - b) / b > 0.002));

  it('turns HDR histograms into cumulative le buckets that count the values at or below each bound', () => {
    const live = new LiveMetrics(PLANS, { version: '1.0.0', scenario: 'test' });
    live.phaseStarted(1);
    const thirds = [values.filter((_, i) => i % 3 === 0), values.filter((_, i) => i % 3 === 1), values.filter((_, i) => i % 3 === 2)];
    thirds.forEach((part, t) => live.second(record('sse', t + 1, 20), { latency: histogramOf(part), totals: totals(values.length) }));
    const text = live.render();
    for (const bound of LATENCY_BUCKETS_US) {
      const le = String(bound / 1e6);
      expect(read(text, 'rtbench_latency_seconds_bucket', 'sse', le), `le=${le}`).toBe(values.filter((v) => v <= bound).length);
    }
    expect(read(text, 'rtbench_latency_seconds_bucket', 'sse', '+Inf')).toBe(values.length);
    expect(read(text, 'rtbench_latency_seconds_count', 'sse')).toBe(values.length);
    const sumS = values.reduce((n, v) => n + v, 0) / 1e6;
    expect(read(text, 'rtbench_latency_seconds_sum', 'sse')! / sumS).toBeCloseTo(1, 2);

    // The same values in one histogram, fed as one second, give the same buckets (merging loses nothing).
    const once = new LiveMetrics(PLANS, { version: '1.0.0', scenario: 'test' });
    once.phaseStarted(1);
    once.second(record('sse', 1, 20), { latency: histogramOf(values), totals: totals(values.length) });
    const bucketLines = (t: string): string[] => t.split('\n').filter((l) => l.startsWith('rtbench_latency_seconds_bucket'));
    expect(bucketLines(once.render())).toEqual(bucketLines(text));
  });

  it('writes nothing unmeasured: a phase not started is absent, loss appears only when the phase is over', () => {
    const live = new LiveMetrics(PLANS, { version: '1.0.0', scenario: 'test' });
    expect(live.render()).not.toMatch(/phase="/);
    live.phaseStarted(1);
    expect(read(live.render(), 'rtbench_phase_running', 'sse')).toBe(1);
    expect(read(live.render(), 'rtbench_delivered_total', 'sse')).toBeUndefined(); // no second yet
    live.second(record('sse', 1, 20), { latency: histogramOf([2000]), totals: totals(400, { generatorCpuUs: null }) });
    let text = live.render();
    expect(read(text, 'rtbench_delivered_total', 'sse')).toBe(400);
    expect(read(text, 'rtbench_connections', 'sse')).toBe(20);
    expect(read(text, 'rtbench_generator_cpu_seconds_total', 'sse')).toBeUndefined(); // fewer than two samples
    expect(read(text, 'rtbench_lost_total', 'sse')).toBeUndefined();
    expect(text).toMatch(/^# TYPE rtbench_lost_total counter$/m); // the family is declared all the same

    live.second(record('sse', 2, 20), { latency: histogramOf([3000]), totals: totals(800, { generatorCpuUs: 250_000, duplicated: 2 }) });
    live.phaseDone({ key: 'sse', metrics: { lost: 3, duplicated: 4, reconnects: 0 } } as unknown as PhaseResult);
    live.phaseStarted(2);
    text = live.render();
    expect(read(text, 'rtbench_phase_running', 'sse')).toBe(0);
    expect(read(text, 'rtbench_phase_running', 'ws')).toBe(1);
    expect(read(text, 'rtbench_lost_total', 'sse')).toBe(3);
    expect(read(text, 'rtbench_duplicated_total', 'sse')).toBe(4); // the final report counted past the last tick
    expect(read(text, 'rtbench_delivered_total', 'sse')).toBe(800); // kept after the phase
    expect(read(text, 'rtbench_generator_cpu_seconds_total', 'sse')).toBe(0.25);
    expect(read(text, 'rtbench_connections', 'sse')).toBeUndefined(); // its clients are gone
    expect(read(text, 'rtbench_latency_seconds_count', 'sse')).toBe(2);

    // A phase whose loss is unknown (stopped before publishing ended) never shows a lost count.
    live.second(record('ws', 1, 20), { latency: histogramOf([]), totals: totals(10) });
    live.phaseDone({ key: 'ws', metrics: { lost: null, duplicated: 0, reconnects: 0 } } as unknown as PhaseResult);
    expect(read(live.render(), 'rtbench_lost_total', 'ws')).toBeUndefined();
  });

  it('never lowers a counter', () => {
    const live = new LiveMetrics(PLANS, { version: '1.0.0', scenario: 'test' });
    live.phaseStarted(1);
    live.second(record('sse', 1, 20), { latency: histogramOf([]), totals: totals(500, { reconnects: 7 }) });
    live.second(record('sse', 2, 20), { latency: histogramOf([]), totals: totals(450, { reconnects: 5 }) });
    const text = live.render();
    expect(read(text, 'rtbench_delivered_total', 'sse')).toBe(500);
    expect(read(text, 'rtbench_reconnects_total', 'sse')).toBe(7);
  });
});

describe('renderExposition: text format 0.0.4', () => {
  it('writes HELP and TYPE, escapes label values and help text, and ends histograms at +Inf = _count', () => {
    const text = renderExposition([
      { name: 'x_total', type: 'counter', help: 'a \\ back\nslash', samples: [{ labels: { phase: 'a"b\\c\nd' }, value: 3 }] },
      { name: 'h_seconds', type: 'histogram', help: 'h', samples: histogramSamples({ phase: 'p' }, [0.001, 0.5], [2, 0, 1], 0.75) },
      { name: 'g', type: 'gauge', help: 'empty', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total a \\\\ back\\nslash',
        '# TYPE x_total counter',
        'x_total{phase="a\\"b\\\\c\\nd"} 3',
        '# HELP h_seconds h',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{phase="p",le="0.001"} 2',
        'h_seconds_bucket{phase="p",le="0.5"} 2',
        'h_seconds_bucket{phase="p",le="+Inf"} 3',
        'h_seconds_sum{phase="p"} 0.75',
        'h_seconds_count{phase="p"} 3',
        '# HELP g empty',
        '# TYPE g gauge',
        '',
      ].join('\n'),
    );
  });
});
