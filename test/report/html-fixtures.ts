import { METRIC_NAMES, type MetricName, type PhaseMetrics } from '../../src/metrics/catalog.js';
import { encodeHistogram, newHistogram } from '../../src/metrics/histogram.js';
import type { Transport } from '../../src/protocol/transports.js';
import { RESULT_SCHEMA, type PhaseResult, type RunResult, type SweepParam } from '../../src/result/types.js';

/** A histogram of the given µs values, encoded as a result file holds it. */
export function encodedLatencies(valuesUs: readonly number[]): string {
  const h = newHistogram();
  for (const v of valuesUs) h.recordValue(v);
  return encodeHistogram(h);
}

/** A phase with every metric null except those given, and a few per-second samples. */
export function fixturePhase(
  transport: Transport,
  options: { variant?: string; sweep?: { param: SweepParam; value: number; label: string }; repeat?: number; metrics?: Partial<Record<MetricName, number>>; latenciesUs?: number[]; saturated?: boolean; warnings?: string[]; serverLoad?: PhaseResult['serverLoadSource'] } = {},
): PhaseResult {
  const metrics = Object.fromEntries(METRIC_NAMES.map((n) => [n, null])) as PhaseMetrics;
  Object.assign(metrics, options.metrics);
  const sweepSuffix = options.sweep && options.sweep.param !== 'interval' ? `[${options.sweep.param}=${options.sweep.label}]` : '';
  return {
    key: `${transport}${options.variant ? `@${options.variant}` : ''}${sweepSuffix}`,
    transport,
    ...(options.variant ? { variant: options.variant } : {}),
    ...(options.sweep ? { sweep: options.sweep } : {}),
    repeat: options.repeat ?? 1,
    status: 'complete',
    params: { pattern: 'broadcast', clients: 10, topics: 1, rate: 20, arrival: 'poisson', payloadBytes: 64, durationUs: 2_000_000, warmupUs: 500_000, drainUs: 1_000_000, workers: 1, seed: 1 },
    metrics,
    serverLoadSource: options.serverLoad ?? 'none',
    warnings: options.warnings ?? [],
    generatorSaturated: options.saturated ?? false,
    timeseries: {
      t: [1, 2, 3],
      windowStartS: 0.6,
      windowEndS: 2.6,
      connected: [10, 10, 10],
      delivered: [100, 200, 150],
      published: [10, 20, 15],
      requests: [10, 0, 0],
      bytesDown: [1000, 2000, 1500],
      latencyP50Us: [2000, 2100, null],
      latencyP99Us: [5000, 5100, null],
      serverCpuPercent: [null, 2.5, 3],
      serverRssBytes: [60e6, 61e6, 61e6],
      serverLoopDelayP99Us: [800, 900, 850],
      generatorCpuPercent: [null, 4, 4],
    },
    histograms: { latency: encodedLatencies(options.latenciesUs ?? []), connect: encodedLatencies([]), publisherLag: encodedLatencies([]) },
  };
}

/** A complete result around the given phases. */
export function fixtureResult(phases: PhaseResult[], overrides: Partial<RunResult> = {}): RunResult {
  return {
    schema: RESULT_SCHEMA,
    tool: { name: 'rtbench', version: '0.0.0-test' },
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:04:35.000Z',
    status: 'complete',
    environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', osRelease: '6.1', cpus: 2, cpuModel: 'Test CPU', memoryBytes: 8 * 1024 ** 3, hostname: 'test' },
    scenario: { name: 'fixture', description: 'a hand-made result' },
    config: { workload: { pattern: 'broadcast', rate: 20, payloadBytes: 64 }, durationUs: 2_000_000, transports: [{ transport: 'polling', intervalsUs: [250_000, 1_000_000] }], sweep: { param: 'interval', values: [250_000, 1_000_000] } },
    target: { kind: 'reference' },
    phases,
    ...overrides,
  };
}
