import { nowUs, sleep, sleepUntilUs } from '../clock.js';
import type { RunConfig } from '../config/types.js';
import { describeError, isRtbError, type ErrorCode } from '../errors.js';
import { decodeHistogram, newHistogram, type Histogram } from '../metrics/histogram.js';
import { ShapingProxy } from '../faults/shaping-proxy.js';
import { GeneratorMonitor } from '../monitors/generator-monitor.js';
import { mergePublishReports, type PublishReport } from '../publisher/publish-report.js';
import { Publisher } from '../publisher/publisher.js';
import { deriveSeed } from '../publisher/rng.js';
import { describeMarker, markerFor, type Profile } from '../profiles/profile-types.js';
import type { PhaseParams, PhaseResult } from '../result/types.js';
import type { WorkerInit } from '../worker/messages.js';
import { topicNames, type Topology } from '../workload/topology.js';
import type { PhasePlan } from './plan.js';
import { newRecording, type PhaseRecording } from './phase-recording.js';
import type { PhaseProgress, ProgressListener, SecondListener, SecondRecord, Stage } from './progress.js';
import { summarisePhase } from './summarise.js';
import type { PhaseTarget } from './target.js';
import { WorkerPool } from './worker-pool.js';

/** Workers get this long to start their threads before the phase's clock begins. */
const STARTUP_US = 300_000;
/** The window message must reach the workers before publishing begins. */
const PUBLISH_LEAD_US = 100_000;

export interface PhaseEnvironment {
  readonly config: RunConfig;
  readonly target: PhaseTarget;
  /** Aborted on Ctrl-C: the phase stops where it is and reports what it measured. */
  readonly signal: AbortSignal;
  readonly phaseNumber: number;
  readonly phaseCount: number;
  /** Prepended to topic names: unique per run and phase against a shared external server, '' otherwise. */
  readonly topicPrefix: string;
  readonly onProgress?: ProgressListener;
  /** Each second of the phase once every worker has reported it. */
  readonly onSecond?: SecondListener;
}

/**
 * One transport phase (DESIGN §1): connect the clients at the ramp rate, warm up, measure,
 * stop publishing, drain, collect. Interruptions (Ctrl-C, the server dying, a worker
 * failing) end it early with status partial or failed, keeping everything measured so far.
 */
export async function runPhase(plan: PhasePlan, env: PhaseEnvironment): Promise<PhaseResult> {
  const { config, target } = env;
  const workers = Math.max(1, Math.min(config.workers, plan.clients));
  const phaseStartUs = nowUs() + STARTUP_US;
  const rec = newRecording(plan, phaseParams(plan, config, workers), phaseStartUs);
  rec.serverSource = target.source.kind;
  rec.serverBaseline = await target.source.sample();

  const topology: Topology = {
    pattern: config.workload.pattern,
    topics: plan.topics,
    roomSize: config.workload.roomSize,
    prefix: env.topicPrefix,
  };
  const generator = new GeneratorMonitor();
  generator.start();
  // A shaped link: clients reach the server through rtbench's proxy; the publisher does not.
  const shape = config.faults.find((f) => f.kind === 'shape');
  const proxy = shape !== undefined ? await ShapingProxy.start(target.url, shape) : undefined;
  const pool = new WorkerPool(workerInits(plan, config, proxy?.url ?? target.url, target.profile, topology, workers, phaseStartUs));
  // Every second's latency, folded in as it arrives, for the progress line's "p99 so far".
  const liveLatency = newHistogram();
  pool.onTick((tick, workerIndex) => {
    rec.ticks[workerIndex][tick.second] = tick;
    // Once the window is open the live p99 is the window's, as the final one is (not warm-up's).
    const windowStartUs = rec.timeline.windowStartUs;
    if (windowStartUs === undefined || phaseStartUs + (tick.second + 1) * 1_000_000 > windowStartUs) liveLatency.add(decodeHistogram(tick.secondLatency));
    if (env.onSecond !== undefined && rec.ticks.every((ticks) => ticks[tick.second] !== undefined)) env.onSecond(secondRecord(rec, tick.second, stage));
  });

  // Cancels the phase's own waits when it ends, so no timer outlives it.
  const phaseOver = new AbortController();
  const wait = AbortSignal.any([env.signal, phaseOver.signal]);
  let stage: Stage = 'connecting';
  const connectBudgetUs = Math.round((plan.clients / config.clients.connectRate) * 1.5e6) + 15_000_000;
  // What the phase should take when all goes well (the drain usually ends early).
  const expectedS = (STARTUP_US + (plan.clients / config.clients.connectRate) * 1e6 + PUBLISH_LEAD_US + config.warmupUs + config.durationUs + Math.min(plan.drainUs, 1e6)) / 1e6;
  const stopSampling = startSampler(rec, target, generator, phaseStartUs, () => {
    env.onProgress?.(progressOf(rec, env, stage, expectedS, liveLatency));
  });

  // Whatever ends the phase early: Ctrl-C, the server dying, a worker failing.
  let interruption: { status: 'partial' | 'failed'; message: string; code?: ErrorCode } | undefined;
  let interrupt!: (status: 'partial' | 'failed', message: string, code?: ErrorCode) => void;
  const interrupted = new Promise<void>((resolve) => {
    interrupt = (status, message, code) => {
      interruption ??= { status, message, ...(code ? { code } : {}) };
      resolve();
    };
  });
  const onAbort = (): void => interrupt('partial', 'interrupted');
  if (env.signal.aborted) onAbort();
  env.signal.addEventListener('abort', onAbort, { once: true });
  void target.died.then((error) => interrupt('failed', error.message, error.code));
  void pool.failed.then((error) => interrupt('failed', error.message, isRtbError(error) ? error.code : 'RTB_ERR_RUN_FAILED'));
  /** Waits for `step`, or for an interruption; true when the step finished. */
  const reached = async (step: Promise<unknown>): Promise<boolean> => {
    await Promise.race([step, interrupted]);
    return interruption === undefined;
  };

  let publisher: Publisher | undefined;
  let stalls: (() => void) | undefined;
  try {
    // 1. Connect every client (or give up on the stragglers after the connect budget).
    let everyoneConnected = false;
    if (!(await reached(Promise.race([pool.allConnected().then(() => (everyoneConnected = true)), sleep(connectBudgetUs / 1000, wait)])))) return finish();
    rec.timeline.connectedUs = nowUs();
    if (!everyoneConnected) {
      const connectedNow = sumLatest(rec, (t) => t.everConnected);
      if (connectedNow === 0) {
        interrupt('failed', `no client connected within ${Math.round(connectBudgetUs / 1e6)} s — check the profile's ${plan.transport} section (rtbench profile check shows each step)`, 'RTB_ERR_PHASE_INVALID');
        return finish();
      }
      rec.warnings.push(`only ${connectedNow} of ${plan.clients} clients connected within ${Math.round(connectBudgetUs / 1e6)} s; the window ran with those`);
    }

    // 2. Warm up and measure: publishing starts now and stops at the window's end.
    const publishStartUs = nowUs() + PUBLISH_LEAD_US;
    const windowStartUs = publishStartUs + config.warmupUs;
    const windowEndUs = windowStartUs + config.durationUs;
    Object.assign(rec.timeline, { publishStartUs, windowStartUs, windowEndUs });
    pool.broadcast({ type: 'window', publishStartUs, windowStartUs, windowEndUs });
    if (config.workload.pattern !== 'rooms') {
      publisher = new Publisher({
        targetUrl: target.url,
        publish: target.profile.publish,
        topics: topicNames(topology),
        totalRatePerS: config.workload.pattern === 'broadcast' ? plan.rate * plan.topics : plan.rate,
        arrival: config.workload.arrival,
        payloadBytes: plan.payloadBytes,
        seed: plan.seed,
        startUs: publishStartUs,
        windowStartUs,
        windowEndUs,
        phaseStartUs,
      });
      await sleepUntilUs(publishStartUs, wait);
      publisher.start();
    }
    stage = 'warming up';
    if (!(await reached(sleepUntilUs(windowStartUs, wait)))) return finish();
    rec.serverAtWindowStart = await target.source.sample();
    rec.generatorAtWindowStart = generator.sample();
    stage = 'measuring';
    liveLatency.reset();
    stalls = scheduleStalls(config.faults, target, windowStartUs, rec.warnings);
    if (!(await reached(sleepUntilUs(windowEndUs, wait)))) return finish();
    rec.serverAtWindowEnd = await target.source.sample();
    rec.serverStats = await target.stats();
    rec.generatorAtWindowEnd = generator.sample();

    // 3. Publishing has stopped: tell the workers what their clients should have received.
    stage = 'draining';
    if (publisher !== undefined) {
      if (!(await reached(publisher.done().then((report) => (rec.published = report))))) return finish();
    } else {
      if (!(await reached(pool.allPublished().then((reports) => (rec.published = mergePublishReports(reports)))))) return finish();
    }
    const invalid = publishingProblem(rec.published!, target);
    if (invalid !== undefined) {
      interrupt('failed', invalid, 'RTB_ERR_PHASE_INVALID');
      return finish();
    }
    pool.broadcast({ type: 'expected', streams: rec.published!.streams });

    // 4. Drain: until every expected delivery arrived, or the drain time is up.
    const drained = await reached(Promise.race([pool.allDrained().then(() => true), sleep(plan.drainUs / 1000, wait).then(() => false)]));
    if (drained) rec.timeline.endUs = nowUs();
    return await finish();
  } catch (error) {
    interruption ??= { status: 'failed', message: isRtbError(error) ? error.message : describeError(error) };
    return await finish();
  }

  async function finish(): Promise<PhaseResult> {
    stage = 'collecting';
    stalls?.();
    phaseOver.abort();
    env.signal.removeEventListener('abort', onAbort);
    publisher?.stop();
    if (rec.published === undefined && publisher !== undefined) rec.published = await settleWithin(publisher.done(), 5000);
    stopSampling();
    rec.timeline.endUs ??= nowUs();
    rec.finals = (await settleWithin(pool.stop(), 10_000)) ?? [];
    await pool.terminate();
    await proxy?.close();
    generator.stop();
    if (interruption === undefined) {
      const nothing = nothingDelivered(rec, target);
      if (nothing !== undefined) interruption = { status: 'failed', message: nothing, code: 'RTB_ERR_PHASE_INVALID' };
    }
    if (interruption !== undefined) {
      rec.status = interruption.status;
      rec.error = interruption.message;
      if (interruption.code !== undefined) rec.errorCode = interruption.code;
    }
    return summarisePhase(rec);
  }
}

function phaseParams(plan: PhasePlan, config: RunConfig, workers: number): PhaseParams {
  const w = config.workload;
  return {
    pattern: w.pattern,
    clients: plan.clients,
    topics: plan.topics,
    rate: plan.rate,
    arrival: w.arrival,
    payloadBytes: plan.payloadBytes,
    ...(w.pattern === 'rooms' ? { roomSize: w.roomSize } : {}),
    ...(plan.client.pollIntervalUs !== undefined ? { pollIntervalUs: plan.client.pollIntervalUs } : {}),
    ...(plan.client.longPollTimeoutMs !== undefined ? { longPollTimeoutMs: plan.client.longPollTimeoutMs } : {}),
    ...(plan.client.sseClient !== undefined ? { sseClient: plan.client.sseClient } : {}),
    durationUs: config.durationUs,
    warmupUs: config.warmupUs,
    drainUs: plan.drainUs,
    workers,
    seed: plan.seed,
  };
}

function workerInits(plan: PhasePlan, config: RunConfig, targetUrl: string, profile: Profile, topology: Topology, workers: number, phaseStartUs: number): WorkerInit[] {
  const inits: WorkerInit[] = [];
  const base = Math.floor(plan.clients / workers);
  let first = 0;
  for (let i = 0; i < workers; i++) {
    const count = base + (i < plan.clients % workers ? 1 : 0);
    inits.push({
      workerIndex: i,
      targetUrl,
      profile,
      client: plan.client,
      faults: config.faults,
      ...(config.clients.reconnect !== undefined ? { reconnect: config.clients.reconnect } : {}),
      resume: config.clients.resume,
      topology,
      firstClient: first,
      clientCount: count,
      connectRatePerS: config.clients.connectRate / workers,
      phaseStartUs,
      seed: deriveSeed(plan.seed, i),
      ...(config.workload.pattern === 'rooms' ? { upstream: { ratePerS: plan.rate, arrival: config.workload.arrival, payloadBytes: plan.payloadBytes } } : {}),
    });
    first += count;
  }
  return inits;
}

/**
 * The scenario's stalls: the reference server paused with SIGSTOP at each `at` (from the
 * window's start) and resumed with SIGCONT `for` later. Returns a function that cancels what
 * has not happened yet and resumes a server still paused — the run never leaves it stopped.
 */
function scheduleStalls(faults: RunConfig['faults'], target: PhaseTarget, windowStartUs: number, warnings: string[]): () => void {
  const timers: NodeJS.Timeout[] = [];
  let paused = false;
  const signal = (name: 'SIGSTOP' | 'SIGCONT'): void => {
    try {
      process.kill(target.pid!, name); // the reference server rtbench started, by its PID
      paused = name === 'SIGSTOP';
    } catch {
      // it has exited: the phase reports that on its own
    }
  };
  for (const fault of faults) {
    if (fault.kind !== 'stall') continue;
    if (target.pid === undefined) {
      warnings.push('a stall was asked for, but the target is not a server rtbench started; nothing was paused');
      continue;
    }
    timers.push(setTimeout(() => signal('SIGSTOP'), Math.max(0, (windowStartUs + fault.atUs - nowUs()) / 1000)));
    timers.push(setTimeout(() => signal('SIGCONT'), Math.max(0, (windowStartUs + fault.atUs + fault.forUs - nowUs()) / 1000)));
  }
  return () => {
    for (const timer of timers) clearTimeout(timer);
    if (paused) signal('SIGCONT');
  };
}

/** Above this share of refused publishes a phase is not a measurement of delivery (DESIGN §4). */
const MAX_PUBLISH_ERROR_RATIO = 0.01;

/**
 * Why a phase's publishing makes it invalid, or undefined: nothing was published in the
 * window, the server accepted none of it, or refused more than a small share. Without this,
 * expected would be 0 and every loss threshold would pass on nothing.
 */
function publishingProblem(report: PublishReport, target: PhaseTarget): string | undefined {
  const statuses = Object.entries(report.errorStatuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status === '0' ? 'no answer' : `HTTP ${status}`} ×${n}`)
    .join(', ');
  const accepted = target.profile.publish.accepted.join(', ');
  if (report.eventsInWindow === 0) return 'no event was scheduled in the measurement window (rate too low for the duration?)';
  if (report.acceptedInWindow === 0) {
    return `the server accepted none of ${report.sent} publishes (${statuses || 'no answer'}); ${target.profile.source} expects publish status ${accepted} — check its publish section`;
  }
  if (report.errors > MAX_PUBLISH_ERROR_RATIO * report.sent) {
    return `${report.errors} of ${report.sent} publishes failed (${statuses}); more than ${MAX_PUBLISH_ERROR_RATIO * 100} % makes delivery figures meaningless`;
  }
  return undefined;
}

/**
 * A phase where events were owed but not one arrived measured nothing about delivery: say
 * why (messages came but the marker never matched, or nothing came at all) instead of
 * reporting a 0 % that thresholds might not even look at.
 */
function nothingDelivered(rec: PhaseRecording, target: PhaseTarget): string | undefined {
  const expected = rec.finals.reduce((n, f) => n + f.expected, 0);
  const delivered = rec.finals.reduce((n, f) => n + f.delivered + f.unexpected, 0);
  if (expected === 0 || delivered > 0) return undefined;
  const other = rec.finals.reduce((n, f) => n + f.otherMessages, 0);
  const markerText = describeMarker(markerFor(target.profile, rec.plan.transport));
  if (other > 0) return `${other} messages arrived but none held rtbench's event: ${target.profile.source} ${markerText} never matched (rtbench profile check shows the messages)`;
  return `none of ${expected} expected deliveries arrived and no message came at all: check ${target.profile.source}'s ${rec.plan.transport} section (rtbench profile check shows each step)`;
}

/** Samples server and generator load once a second, on the phase's second boundaries. */
function startSampler(rec: PhaseRecording, target: PhaseTarget, generator: GeneratorMonitor, phaseStartUs: number, onSecond: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (second: number): void => {
    timer = setTimeout(() => void sampleAt(second), Math.max(0, (phaseStartUs + second * 1_000_000 - nowUs()) / 1000));
  };
  const sampleAt = async (second: number): Promise<void> => {
    if (stopped) return;
    rec.generatorSamples.push(generator.sample());
    const sample = await target.source.sample();
    if (sample !== undefined) rec.serverSamples.push(sample);
    if (stopped) return;
    if (second > 0) onSecond();
    schedule(second + 1);
  };
  // A first reading at the phase's start: CPU % of second 1 is a difference from it.
  schedule(0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Second `second` of the phase, from every worker's tick and the latest load samples. */
function secondRecord(rec: PhaseRecording, second: number, stage: Stage): SecondRecord {
  let connected = 0;
  let delivered = 0;
  let requests = 0;
  let bytesDown = 0;
  const latency = newHistogram();
  for (const ticks of rec.ticks) {
    const tick = ticks[second]!;
    const previous = second > 0 ? ticks[second - 1] : undefined;
    connected += tick.connected;
    delivered += tick.counters.received - (previous?.counters.received ?? 0);
    requests += tick.counters.requests - (previous?.counters.requests ?? 0);
    bytesDown += tick.counters.bytesDown - (previous?.counters.bytesDown ?? 0);
    latency.add(decodeHistogram(tick.secondLatency));
  }
  const cpuPercent = <T extends { atUs: number }>(samples: T[], cpu: (s: T) => number | undefined): number | null => {
    const [a, b] = samples.slice(-2);
    const ca = a !== undefined ? cpu(a) : undefined;
    const cb = b !== undefined ? cpu(b) : undefined;
    return ca !== undefined && cb !== undefined && b.atUs > a.atUs ? Math.round(((cb - ca) / (b.atUs - a.atUs)) * 1000) / 10 : null;
  };
  const any = latency.totalCount > 0;
  return {
    phase: rec.plan.key,
    transport: rec.plan.transport,
    t: second + 1,
    stage,
    connected,
    delivered,
    requests,
    bytesDown,
    latencyP50Us: any ? latency.getValueAtPercentile(50) : null,
    latencyP99Us: any ? latency.getValueAtPercentile(99) : null,
    serverCpuPercent: cpuPercent(rec.serverSamples, (s) => s.cpuUs),
    serverRssBytes: rec.serverSamples.at(-1)?.rssBytes ?? null,
    generatorCpuPercent: cpuPercent(rec.generatorSamples, (s) => s.cpuUs),
  };
}

function sumLatest(rec: PhaseRecording, pick: (tick: NonNullable<PhaseRecording['ticks'][number][number]>) => number): number {
  let total = 0;
  for (const ticks of rec.ticks) {
    const last = ticks.at(-1);
    if (last !== undefined) total += pick(last);
  }
  return total;
}

function progressOf(rec: PhaseRecording, env: PhaseEnvironment, stage: Stage, expectedS: number, liveLatency: Histogram): PhaseProgress {
  let eventsPerS = 0;
  let connected = 0;
  for (const ticks of rec.ticks) {
    const last = ticks.at(-1);
    if (last === undefined) continue;
    connected += last.connected;
    const previous = ticks.at(-2);
    eventsPerS += last.counters.received - (previous?.counters.received ?? 0);
  }
  return {
    phaseKey: rec.plan.key,
    phaseNumber: env.phaseNumber,
    phaseCount: env.phaseCount,
    stage,
    elapsedS: (nowUs() - rec.timeline.phaseStartUs) / 1e6,
    expectedS,
    connected,
    clients: rec.plan.clients,
    eventsPerS,
    p99Us: liveLatency.totalCount > 0 ? liveLatency.getValueAtPercentile(99) : null,
  };
}

async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

