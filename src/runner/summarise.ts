import type { PhaseMetrics } from '../metrics/catalog.js';
import { encodeHistogram, mergeEncoded, newHistogram, summarise } from '../metrics/histogram.js';
import type { ServerSample } from '../monitors/server-sample.js';
import { formatDurationUs, formatPercent } from '../format.js';
import type { PhaseResult, TimeSeries } from '../result/types.js';
import type { CounterSnapshot, WorkerTick } from '../worker/messages.js';
import type { PhaseRecording } from './phase-recording.js';
import { faultSeconds, splitLatency } from '../faults/fault-marks.js';

/** The generator is called saturated past these (DESIGN §4: its latency is then inflated). */
const SATURATED_UTILIZATION = 0.9;
/** A client thread using this share of a core or more is the run's limit (one thread, one core). */
const SATURATED_THREAD_CPU = 0.9;
const SATURATED_LOOP_DELAY_US = 50_000;
/** A gap this long between the server's per-second load samples inside the window is a stall. */
const SERVER_STALL_US = 2_500_000;
/** The publisher is called late past this p99 lag. */
const LATE_PUBLISHER_US = 10_000;

/**
 * Turns one phase's raw measurements into its result: the catalogue's metrics, the
 * per-second series, the encoded histograms and plain-words warnings. A pure function: no
 * clock, no I/O.
 */
export function summarisePhase(rec: PhaseRecording): PhaseResult {
  const { plan, timeline } = rec;
  const finals = rec.finals;
  const sum = (pick: (f: (typeof finals)[number]) => number): number => finals.reduce((n, f) => n + pick(f), 0);

  const latencyHist = mergeEncoded(finals.map((f) => f.latency));
  const connectHist = mergeEncoded(finals.map((f) => f.connect));
  const recoveryHist = mergeEncoded(finals.map((f) => f.recovery));
  const recovery = summarise(recoveryHist);
  const cuts = sum((f) => f.cuts);
  const published = rec.published;
  const lagHist = mergeEncoded([published?.lagHistogram ?? '']);
  const latency = summarise(latencyHist);
  const connect = summarise(connectHist);
  const lag = summarise(lagHist);

  // Cost counters over the window: end − start snapshots of every worker.
  const window = windowCounters(finals.map((f) => [f.windowStart, f.windowEnd]));
  const windowS = timeline.windowStartUs !== undefined ? Math.min(rec.durationUs, (timeline.windowEndUs ?? timeline.endUs ?? 0) - timeline.windowStartUs) / 1e6 : 0;
  const perEvent = (n: number | null): number | null => (n !== null && window !== null && window.received > 0 ? n / window.received : null);
  const perSecond = (n: number | null): number | null => (n !== null && windowS > 0 ? n / windowS : null);

  // Expectations exist once publishing was over; a phase stopped before that owes nothing known.
  const known = finals.length > 0 && finals.every((f) => f.expectationsKnown);
  const expected = known ? sum((f) => f.expected) : null;
  const delivered = sum((f) => f.delivered);
  const lost = known ? sum((f) => f.lost) : null;
  const everConnected = sum((f) => f.everConnected);
  const isPolling = plan.transport === 'polling' || plan.transport === 'long-polling';

  const server = serverFigures(rec, window?.received ?? 0, everConnected);
  // Faults: latency inside the seconds they touched and outside them, memory through them.
  const marks = rec.faultMarks ?? [];
  const windowSeconds = secondsOfWindow(rec);
  const faultTouched = faultSeconds(marks, windowSeconds, cuts > 0 ? recovery.max : null);
  const split = marks.length > 0 ? splitLatency(rec.ticks, windowSeconds, faultTouched) : null;
  const rssDuringFaults = marks.length > 0 ? peakRssIn(rec, faultTouched) : null;
  const lostInRestarts = known && finals.some((f) => f.lostInRestarts !== undefined) ? sum((f) => f.lostInRestarts ?? 0) : null;
  const generator = generatorFigures(rec);

  const metrics: PhaseMetrics = {
    'latency.min': latency.min,
    'latency.p50': latency.p50,
    'latency.p90': latency.p90,
    'latency.p99': latency.p99,
    'latency.p999': latency.p999,
    'latency.max': latency.max,
    'latency.mean': latency.mean,
    expected,
    delivered,
    lost,
    lost_in_restarts: lostInRestarts,
    unexpected: known ? sum((f) => f.unexpected) : null,
    delivered_ratio: expected !== null && expected > 0 ? delivered / expected : null,
    duplicated: sum((f) => f.duplicated),
    out_of_order: sum((f) => f.outOfOrder),
    gaps: sum((f) => f.gaps),
    clients: plan.shard?.clients ?? plan.clients,
    connected: everConnected,
    connect_errors: sum((f) => f.connectErrors),
    reconnects: sum((f) => f.reconnects),
    request_errors: sum((f) => f.requestErrors),
    cuts,
    'recovery.p50': cuts > 0 ? recovery.p50 : null,
    'recovery.p99': cuts > 0 ? recovery.p99 : null,
    'recovery.max': cuts > 0 ? recovery.max : null,
    'latency.p50_during_faults': split?.p50During ?? null,
    'latency.p99_during_faults': split?.p99During ?? null,
    'latency.p50_outside_faults': split?.p50Outside ?? null,
    'latency.p99_outside_faults': split?.p99Outside ?? null,
    'server.rss_peak_during_faults': rssDuringFaults,
    protocol_errors: sum((f) => f.protocolErrors),
    other_messages: sum((f) => f.otherMessages),
    'connect.p50': connect.p50,
    'connect.p99': connect.p99,
    'connect.max': connect.max,
    requests: window?.requests ?? null,
    requests_per_second: perSecond(window?.requests ?? null),
    requests_per_event: perEvent(window?.requests ?? null),
    empty_responses: isPolling ? (window?.emptyResponses ?? null) : null,
    empty_ratio: isPolling && window !== null && window.requests > 0 ? window.emptyResponses / window.requests : null,
    publish_requests: published?.sent ?? 0,
    publish_errors: published?.errors ?? 0,
    publish_accepted: published?.acceptedInWindow ?? null,
    events_per_second: perSecond(window?.received ?? null),
    connections: connectionsAtWindowEnd(finals.map((f) => f.windowEnd)),
    bytes_down: window?.bytesDown ?? null,
    bytes_up: window?.bytesUp ?? null,
    bytes_per_event: perEvent(window?.bytesDown ?? null),
    bytes_up_per_event: perEvent(window?.bytesUp ?? null),
    'server.cpu_percent': server.cpuPercent,
    'server.cpu_us_per_event': server.cpuUsPerEvent,
    'server.rss_baseline': server.rssBaseline,
    'server.rss_peak': server.rssPeak,
    'server.memory_per_connection': server.memoryPerConnection,
    'server.loop_delay_p99': server.loopDelayP99,
    'server.loop_delay_max': server.loopDelayMax,
    'server.loop_utilization': server.loopUtilization,
    'server.open_connections': server.openConnections,
    'generator.cpu_percent': generator.cpuPercent,
    'generator.loop_delay_p99': generator.loopDelayP99,
    'generator.worker_utilization': generator.workerUtilization,
    'generator.thread_cpu': generator.threadCpu,
    'publisher.events': published?.eventsInWindow ?? 0,
    'publisher.lag_p50': lag.p50,
    'publisher.lag_p99': lag.p99,
    'publisher.lag_max': lag.max,
  };

  const warnings = [...rec.warnings];
  // A slow loop means latency includes waiting: for rtbench's own work when its busiest
  // thread was busy, for a CPU when it was not (other processes — the server too — held them).
  // Busy is judged on the thread's own CPU time where the kernel gives it (a thread can only
  // use one core): event-loop utilisation also counts time spent waiting for a CPU.
  const loopSlow = generator.loopDelayP99 !== null && generator.loopDelayP99 > SATURATED_LOOP_DELAY_US;
  const busiest = generator.threadCpu ?? generator.workerUtilization;
  const busiestText = generator.threadCpu !== null ? `busiest client thread at ${formatPercent(generator.threadCpu, 0)} of a core` : `busiest client thread ${formatPercent(generator.workerUtilization, 0)} busy`;
  const saturated =
    generator.threadCpu !== null
      ? generator.threadCpu > SATURATED_THREAD_CPU || (loopSlow && generator.threadCpu > 0.5)
      : (generator.workerUtilization !== null && generator.workerUtilization > SATURATED_UTILIZATION) || (loopSlow && !machineBusyInstead(generator));
  if (saturated) {
    warnings.push(
      `The load generator was saturated (${busiestText}, loop delay p99 ${formatDurationUs(generator.loopDelayP99)}): ` +
        'latency includes rtbench’s own queueing — use more --workers, fewer clients or a lower rate.',
    );
  } else if (loopSlow) {
    warnings.push(
      `The machine was busy, not rtbench: its client threads were at most ${formatPercent(busiest, 0)} ${generator.threadCpu !== null ? 'of a core' : 'busy'}, yet their loop delay p99 was ${formatDurationUs(generator.loopDelayP99)} with the machine's CPUs ${formatPercent(generator.machineBusy, 0)} busy — ` +
        'latency includes waiting for a CPU that other processes held; more workers would not help, a quieter machine would.',
    );
  }
  const pollsMade = window?.requests ?? 0;
  const pollsMissed = window?.missedPolls ?? 0;
  if (plan.transport === 'polling' && pollsMissed > 0.01 * (pollsMade + pollsMissed)) {
    warnings.push(
      `Polls made ${pollsMade} of ${pollsMade + pollsMissed} scheduled: ${pollsMissed} slots passed while a client's poll was still out or its loop stalled, so requests per event is ${formatPercent(pollsMissed / (pollsMade + pollsMissed), 1)} below what the interval alone would give.`,
    );
  }
  const stall = longestSampleGapUs(rec);
  if (stall !== null && stall > SERVER_STALL_US) {
    warnings.push(`The server's own load samples stopped for ${formatDurationUs(stall)} during the window: it was stalled (paused, swapping or blocked), and latency over that time includes the stall.`);
  }
  if (lag.p99 !== null && lag.p99 > LATE_PUBLISHER_US) {
    warnings.push(`The publisher fell behind schedule (lag p99 ${formatDurationUs(lag.p99)}); latency is measured from the scheduled time, so the delay is counted, not hidden.`);
  }
  if (rec.serverSource === 'none') warnings.push('Server load is unknown: the target has no /metrics and no --server-pid was given.');
  if (metrics.request_errors !== null && metrics.request_errors > 0) {
    warnings.push(
      cuts > 0
        ? `${metrics.request_errors} requests of connected clients failed without an answer (faults cut connections ${cuts} times; recovery p50 ${formatDurationUs(metrics['recovery.p50'])}, p99 ${formatDurationUs(metrics['recovery.p99'])}).`
        : `${metrics.request_errors} requests of connected clients failed without an answer (the server reset or refused connections mid-run).`,
    );
  }
  if (metrics.unexpected !== null && metrics.unexpected > 0) {
    warnings.push(`${metrics.unexpected} deliveries were of events whose publish the server answered as failed (counted as unexpected, not as delivered).`);
  }
  if (metrics.lost !== null && metrics.lost > 0 && rec.status === 'complete') {
    warnings.push(`${metrics.lost} of ${expected ?? '?'} expected deliveries never arrived.`);
  }

  return {
    key: plan.key,
    transport: plan.transport,
    ...(plan.variant ? { variant: plan.variant } : {}),
    ...(plan.sweep ? { sweep: plan.sweep } : {}),
    repeat: plan.repeat,
    status: rec.status,
    ...(rec.error ? { error: rec.error } : {}),
    ...(rec.errorCode ? { errorCode: rec.errorCode } : {}),
    params: rec.params,
    metrics,
    serverLoadSource: rec.serverSource,
    ...(rec.serverStats !== undefined ? { serverStats: rec.serverStats } : {}),
    warnings,
    generatorSaturated: saturated,
    ...(window !== null && plan.transport === 'polling' ? { pollsScheduled: pollsMade + pollsMissed } : {}),
    timeseries: timeSeries(rec),
    ...(marks.length > 0 ? { faults: marks } : {}),
    histograms: { latency: encodeHistogram(latencyHist), connect: encodeHistogram(connectHist), publisherLag: encodeHistogram(lagHist), ...(cuts > 0 ? { recovery: encodeHistogram(recoveryHist) } : {}) },
  };
}

interface WindowCounters {
  requests: number;
  missedPolls: number;
  emptyResponses: number;
  received: number;
  bytesDown: number;
  bytesUp: number;
}

/** Subscriber connections open at the window's end, over every worker; unknown when a worker did not say. */
function connectionsAtWindowEnd(ends: (CounterSnapshot | undefined)[]): number | null {
  let total = 0;
  for (const end of ends) {
    if (end?.connections === undefined) return null;
    total += end.connections;
  }
  return ends.length > 0 ? total : null;
}

function windowCounters(pairs: [CounterSnapshot | undefined, CounterSnapshot | undefined][]): WindowCounters | null {
  const total: WindowCounters = { requests: 0, missedPolls: 0, emptyResponses: 0, received: 0, bytesDown: 0, bytesUp: 0 };
  let any = false;
  for (const [start, end] of pairs) {
    if (start === undefined || end === undefined) continue;
    any = true;
    total.requests += end.requests - start.requests;
    total.missedPolls += end.missedPolls - start.missedPolls;
    total.emptyResponses += end.emptyResponses - start.emptyResponses;
    total.received += end.received - start.received;
    total.bytesDown += end.bytesDown - start.bytesDown;
    total.bytesUp += end.bytesUp - start.bytesUp;
  }
  return any ? total : null;
}

function serverFigures(rec: PhaseRecording, receivedInWindow: number, connected: number) {
  const start = rec.serverAtWindowStart;
  const end = rec.serverAtWindowEnd;
  const inWindow = rec.serverSamples.filter((s) => start !== undefined && end !== undefined && s.atUs >= start.atUs && s.atUs <= end.atUs + 500_000);
  const cpuUs = start?.cpuUs !== undefined && end?.cpuUs !== undefined ? end.cpuUs - start.cpuUs : null;
  const elapsedUs = start !== undefined && end !== undefined ? end.atUs - start.atUs : 0;
  const rssAll = [rec.serverBaseline, ...rec.serverSamples, start, end].map((s) => s?.rssBytes).filter((v): v is number => v !== undefined);
  const rssPeak = rssAll.length > 0 ? Math.max(...rssAll) : null;
  const rssBaseline = rec.serverBaseline?.rssBytes ?? null;
  const maxOf = (pick: (s: ServerSample) => number | undefined): number | null => {
    const values = inWindow.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const active = start?.loopActiveMs !== undefined && end?.loopActiveMs !== undefined ? end.loopActiveMs - start.loopActiveMs : undefined;
  const idle = start?.loopIdleMs !== undefined && end?.loopIdleMs !== undefined ? end.loopIdleMs - start.loopIdleMs : undefined;
  return {
    cpuPercent: cpuUs !== null && elapsedUs > 0 ? (cpuUs / elapsedUs) * 100 : null,
    cpuUsPerEvent: cpuUs !== null && receivedInWindow > 0 ? cpuUs / receivedInWindow : null,
    rssBaseline,
    rssPeak,
    memoryPerConnection: rssPeak !== null && rssBaseline !== null && connected > 0 ? Math.max(0, rssPeak - rssBaseline) / connected : null,
    loopDelayP99: maxOf((s) => s.loopDelayP99Us),
    loopDelayMax: maxOf((s) => s.loopDelayMaxUs),
    loopUtilization: active !== undefined && idle !== undefined && active + idle > 0 ? active / (active + idle) : null,
    openConnections: end?.openConnections ?? null,
  };
}

function generatorFigures(rec: PhaseRecording) {
  const start = rec.generatorAtWindowStart;
  const end = rec.generatorAtWindowEnd;
  const windowSeconds = secondsOfWindow(rec);
  let loopDelayP99: number | null = null;
  let workerUtilization: number | null = null;
  let threadCpu: number | null = null;
  for (const ticks of rec.ticks) {
    const inWindow = windowSeconds.map((s) => ticks[s]).filter((t): t is WorkerTick => t !== undefined);
    if (inWindow.length === 0) continue;
    const meanUtilization = inWindow.reduce((n, t) => n + t.utilization, 0) / inWindow.length;
    workerUtilization = Math.max(workerUtilization ?? 0, meanUtilization);
    // Each tick's share covers the second before it; unknown (off Linux) ticks carry none.
    const shares = inWindow.map((t) => t.cpuShare).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (shares.length > 0) threadCpu = Math.max(threadCpu ?? 0, shares.reduce((a, b) => a + b, 0) / shares.length);
    loopDelayP99 = Math.max(loopDelayP99 ?? 0, ...inWindow.map((t) => t.loopDelayP99Us));
  }
  const mainDelays = rec.generatorSamples.filter((s) => start !== undefined && end !== undefined && s.atUs >= start.atUs && s.atUs <= end.atUs).map((s) => s.loopDelayP99Us);
  if (mainDelays.length > 0) loopDelayP99 = Math.max(loopDelayP99 ?? 0, ...mainDelays);
  const machineTotal = start !== undefined && end !== undefined ? end.machineTotalMs - start.machineTotalMs : 0;
  return {
    cpuPercent: start !== undefined && end !== undefined && end.atUs > start.atUs ? ((end.cpuUs - start.cpuUs) / (end.atUs - start.atUs)) * 100 : null,
    loopDelayP99,
    workerUtilization,
    /** The busiest client thread's mean CPU share of one core over the window; null when no thread could tell. */
    threadCpu,
    /** Share of the machine's CPU time (all cores) that was busy over the window. */
    machineBusy: machineTotal > 0 ? (end!.machineBusyMs - start!.machineBusyMs) / machineTotal : null,
  };
}

/**
 * True when a slow generator loop came from a busy machine rather than from rtbench: its
 * busiest client thread was at most half busy while the machine's CPUs were mostly busy.
 */
function machineBusyInstead(g: { workerUtilization: number | null; machineBusy: number | null }): boolean {
  return g.workerUtilization !== null && g.workerUtilization < 0.5 && g.machineBusy !== null && g.machineBusy > 0.8;
}

/** The longest gap between the server's load samples inside the window, or null without samples. */
function longestSampleGapUs(rec: PhaseRecording): number | null {
  const { windowStartUs, windowEndUs } = rec.timeline;
  if (rec.serverSource === 'none' || windowStartUs === undefined || windowEndUs === undefined) return null;
  const times = [windowStartUs, ...rec.serverSamples.map((s) => s.atUs).filter((t) => t > windowStartUs && t < windowEndUs), windowEndUs];
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  return longest;
}

/** The highest server RSS sampled in (or at the end of) the given seconds of the phase; null without samples there. */
function peakRssIn(rec: PhaseRecording, seconds: ReadonlySet<number>): number | null {
  let peak: number | null = null;
  for (const sample of rec.serverSamples) {
    // A sample on a second's boundary closes the second before it.
    const second = Math.ceil((sample.atUs - rec.timeline.phaseStartUs) / 1e6) - 1;
    if (sample.rssBytes !== undefined && (seconds.has(second) || seconds.has(second + 1))) peak = Math.max(peak ?? 0, sample.rssBytes);
  }
  return peak;
}

/** Indexes of the phase's seconds that lie wholly inside the window. */
function secondsOfWindow(rec: PhaseRecording): number[] {
  const { phaseStartUs, windowStartUs, windowEndUs } = rec.timeline;
  if (windowStartUs === undefined || windowEndUs === undefined) return [];
  const first = Math.ceil((windowStartUs - phaseStartUs) / 1e6);
  const last = Math.floor((windowEndUs - phaseStartUs) / 1e6) - 1;
  const seconds: number[] = [];
  for (let s = first; s <= last; s++) seconds.push(s);
  return seconds;
}

function timeSeries(rec: PhaseRecording): TimeSeries {
  const { phaseStartUs, windowStartUs, windowEndUs } = rec.timeline;
  const length = Math.max(0, ...rec.ticks.map((t) => t.length));
  const series: TimeSeries = {
    t: [],
    windowStartS: windowStartUs !== undefined ? round3((windowStartUs - phaseStartUs) / 1e6) : 0,
    windowEndS: windowEndUs !== undefined ? round3((windowEndUs - phaseStartUs) / 1e6) : 0,
    connected: [],
    delivered: [],
    published: [],
    requests: [],
    bytesDown: [],
    latencyP50Us: [],
    latencyP99Us: [],
    serverCpuPercent: [],
    serverRssBytes: [],
    serverLoopDelayP99Us: [],
    generatorCpuPercent: [],
  };
  const publishedPerSecond = [rec.published?.perSecond ?? []];
  for (let second = 0; second < length; second++) {
    series.t.push(second + 1);
    let connected = 0;
    let delivered = 0;
    let requests = 0;
    let bytesDown = 0;
    const latencies: string[] = [];
    for (const ticks of rec.ticks) {
      const tick = ticks[second];
      if (tick === undefined) continue;
      const previous = second > 0 ? ticks[second - 1] : undefined;
      connected += tick.connected;
      delivered += tick.counters.received - (previous?.counters.received ?? 0);
      requests += tick.counters.requests - (previous?.counters.requests ?? 0);
      bytesDown += tick.counters.bytesDown - (previous?.counters.bytesDown ?? 0);
      latencies.push(tick.secondLatency);
    }
    series.connected.push(connected);
    series.delivered.push(delivered);
    series.requests.push(requests);
    series.bytesDown.push(bytesDown);
    series.published.push(publishedPerSecond.reduce((n, list) => n + (list[second] ?? 0), 0));
    const merged = latencies.length > 0 ? mergeEncoded(latencies) : newHistogram();
    const summary = summarise(merged);
    series.latencyP50Us.push(summary.p50);
    series.latencyP99Us.push(summary.p99);
  }
  // Server and generator samples: one per second, placed by when they were taken.
  const place = <T extends { atUs: number }>(samples: T[], target: (number | null)[], value: (sample: T, previous: T | undefined) => number | null): void => {
    for (let i = 0; i < length; i++) target.push(null);
    samples.forEach((sample, i) => {
      const second = Math.round((sample.atUs - phaseStartUs) / 1e6) - 1;
      if (second >= 0 && second < length) target[second] = value(sample, samples[i - 1]);
    });
  };
  place(rec.serverSamples, series.serverCpuPercent, (s, p) =>
    p?.cpuUs !== undefined && s.cpuUs !== undefined && s.atUs > p.atUs ? round3(((s.cpuUs - p.cpuUs) / (s.atUs - p.atUs)) * 100) : null,
  );
  place(rec.serverSamples, series.serverRssBytes, (s) => s.rssBytes ?? null);
  place(rec.serverSamples, series.serverLoopDelayP99Us, (s) => s.loopDelayP99Us ?? null);
  place(rec.generatorSamples, series.generatorCpuPercent, (s, p) => (p !== undefined && s.atUs > p.atUs ? round3(((s.cpuUs - p.cpuUs) / (s.atUs - p.atUs)) * 100) : null));
  return series;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
