import type { JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from '../metrics/histogram.js';
import type { PhaseResult } from '../result/types.js';
import type { PhasePlan } from '../runner/plan.js';
import type { PhaseTotals, SecondDetail, SecondRecord } from '../runner/progress.js';
import { histogramSamples, renderExposition, type Labels, type MetricFamily, type Sample } from './live-metrics-text.js';

/**
 * Upper bounds of the latency histogram's buckets, µs (exposed in seconds). From a loopback
 * push delivery (~100 µs) through polling staleness (up to the interval: 100 ms … 2 s in the
 * built-in scenarios) to a minute (long drains, reconnect storms); 1–2.5–5 steps, so
 * `histogram_quantile` interpolates within a factor of 2.5.
 */
export const LATENCY_BUCKETS_US: readonly number[] = [
  100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000,
];
const LATENCY_BUCKETS_S = LATENCY_BUCKETS_US.map((us) => us / 1e6);

/** What one phase has exported so far. Undefined figures have not been measured yet and are left out, never written as 0. */
interface PhaseSeries {
  readonly labels: Labels;
  running: boolean;
  /** From the phase's first second on. */
  totals?: Omit<PhaseTotals, 'generatorCpuUs'>;
  connected?: number;
  generatorCpuUs?: number;
  /** Known only once the phase is over: what it was owed is settled when publishing stops. */
  lost?: number;
  /** Per bucket of LATENCY_BUCKETS_US (values above its bound and at or below it), plus one above the last. */
  readonly latencyCounts: number[];
  latencySumUs: number;
}

/**
 * The generator's own live figures for `--metrics-port`, per phase (labels phase, transport,
 * repeat), built from the same per-second feed the `--out ndjson` records come from. Every
 * counter only grows: a figure is raised to the phase's latest total, never lowered, and a
 * finished phase keeps its final values; a finished phase's gauges (connections) are
 * removed and `rtbench_phase_running` goes to 0.
 */
export class LiveMetrics {
  readonly #plans: readonly PhasePlan[];
  readonly #info: Labels;
  readonly #phases: PhaseSeries[] = [];
  #current: PhaseSeries | undefined;

  /** `plans`: the run's phases in order (planPhases), so phase number n is plans[n − 1]. */
  constructor(plans: readonly PhasePlan[], info: { version: string; scenario: string }) {
    this.#plans = plans;
    this.#info = { version: info.version, scenario: info.scenario };
  }

  /** Phase `number` (1-based, as RunHooks.onPhaseStart counts) has started. */
  phaseStarted(number: number): void {
    const plan = this.#plans[number - 1];
    if (plan === undefined) return;
    if (this.#current !== undefined) this.#current.running = false;
    this.#current = { labels: { phase: plan.key, transport: plan.transport, repeat: String(plan.repeat) }, running: true, latencyCounts: new Array<number>(LATENCY_BUCKETS_US.length + 1).fill(0), latencySumUs: 0 };
    this.#phases.push(this.#current);
  }

  /** One second of the running phase (RunHooks.onSecond). */
  second(record: SecondRecord, detail: SecondDetail): void {
    const series = this.#current;
    if (series === undefined || series.labels.phase !== record.phase) return;
    const { generatorCpuUs, ...totals } = detail.totals;
    const before = series.totals;
    series.totals = before === undefined ? totals : maxEach(before, totals);
    series.connected = record.connected;
    if (generatorCpuUs !== null) series.generatorCpuUs = Math.max(series.generatorCpuUs ?? 0, generatorCpuUs);
    addLatency(series, detail.latency);
  }

  /** The running phase is over (RunHooks.onPhaseDone): its loss is known now, and its final counts are kept. */
  phaseDone(phase: PhaseResult): void {
    const series = this.#current;
    if (series === undefined || series.labels.phase !== phase.key) return;
    series.running = false;
    delete series.connected;
    const m = phase.metrics;
    if (m.lost !== null && m.lost !== undefined) series.lost = m.lost;
    // The workers' final reports may count a little past their last tick.
    if (series.totals !== undefined) {
      if (typeof m.duplicated === 'number') series.totals.duplicated = Math.max(series.totals.duplicated, m.duplicated);
      if (typeof m.reconnects === 'number') series.totals.reconnects = Math.max(series.totals.reconnects, m.reconnects);
    }
    this.#current = undefined;
  }

  /** The exposition document a scrape of /metrics gets. */
  render(): string {
    const phases = this.#phases;
    const each = (read: (s: PhaseSeries) => number | undefined): Sample[] =>
      phases.flatMap((s) => {
        const value = read(s);
        return value === undefined ? [] : [{ labels: s.labels, value }];
      });
    const families: MetricFamily[] = [
      { name: 'rtbench_run_info', type: 'gauge', help: 'Always 1: the rtbench version and the scenario being run.', samples: [{ labels: this.#info, value: 1 }] },
      { name: 'rtbench_phase_running', type: 'gauge', help: 'Whether the phase is running (1) or over (0); phases not yet started are absent.', samples: each((s) => (s.running ? 1 : 0)) },
      { name: 'rtbench_delivered_total', type: 'counter', help: 'Events received by the subscribers (first receipts; warm-up and drain included).', samples: each((s) => s.totals?.delivered) },
      { name: 'rtbench_lost_total', type: 'counter', help: 'Expected deliveries that never arrived, counted per stream from sequence numbers; present once the phase is over.', samples: each((s) => s.lost) },
      { name: 'rtbench_duplicated_total', type: 'counter', help: 'Events of the measurement window received again by the same subscriber.', samples: each((s) => s.totals?.duplicated) },
      {
        name: 'rtbench_latency_seconds',
        type: 'histogram',
        help: 'Publish-to-receive latency (staleness for polling) of the events received, from their scheduled publish time.',
        samples: phases.flatMap((s) => (s.totals === undefined ? [] : histogramSamples(s.labels, LATENCY_BUCKETS_S, s.latencyCounts, s.latencySumUs / 1e6))),
      },
      { name: 'rtbench_requests_total', type: 'counter', help: 'Subscriber requests: polls, long-polls, SSE connects, WebSocket upgrades.', samples: each((s) => s.totals?.requests) },
      { name: 'rtbench_received_bytes_total', type: 'counter', help: 'Bytes read by the subscriber sockets (headers and framing included).', samples: each((s) => s.totals?.bytesDown) },
      { name: 'rtbench_sent_bytes_total', type: 'counter', help: 'Bytes written by the subscriber sockets.', samples: each((s) => s.totals?.bytesUp) },
      { name: 'rtbench_connections', type: 'gauge', help: 'Subscriber clients connected at the end of the last second of a running phase.', samples: each((s) => s.connected) },
      { name: 'rtbench_reconnects_total', type: 'counter', help: 'Subscriber reconnections after a dropped connection.', samples: each((s) => s.totals?.reconnects) },
      { name: 'rtbench_generator_cpu_seconds_total', type: 'counter', help: 'CPU time of the rtbench process (every thread) during the phase.', samples: each((s) => (s.generatorCpuUs === undefined ? undefined : s.generatorCpuUs / 1e6)) },
    ];
    return renderExposition(families);
  }
}

function maxEach<T extends Record<string, number>>(a: T, b: T): T {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof T)[]) out[key] = Math.max(a[key], b[key]) as T[keyof T];
  return out;
}

/**
 * Adds one second's latency histogram into the phase's buckets. Each recorded value is
 * taken at the top of its HDR bucket (as HDR percentiles are), so a bound decides within
 * the histogram's 3 significant digits; the sum uses the bucket's middle (as HDR's mean).
 */
function addLatency(series: PhaseSeries, histogram: Histogram): void {
  if (histogram.totalCount === 0) return;
  series.latencySumUs += histogram.mean * histogram.totalCount;
  // rtbench's histograms are pure-JS (metrics/histogram.ts), so they carry HDR's recorded-values iterator.
  const iterator = (histogram as JsHistogram).recordedValuesIterator;
  iterator.reset();
  let bucket = 0;
  while (iterator.hasNext()) {
    const step = iterator.next();
    // Values come in increasing order, so the bucket only moves up.
    while (bucket < LATENCY_BUCKETS_US.length && step.valueIteratedTo > LATENCY_BUCKETS_US[bucket]!) bucket++;
    series.latencyCounts[bucket]! += step.countAtValueIteratedTo;
  }
}
