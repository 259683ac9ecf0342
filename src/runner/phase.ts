import { nowUs, sleep, sleepUntilUs } from '../clock.js';
import type { RunConfig } from '../config/types.js';
import { describeError, isRtbError, type ErrorCode } from '../errors.js';
import { decodeHistogram, newHistogram, type Histogram } from '../metrics/histogram.js';
import { ShapingProxy } from '../faults/shaping-proxy.js';
import { RestartSchedule } from '../faults/restart-schedule.js';
import { faultMarks } from '../faults/fault-marks.js';
import { GeneratorMonitor } from '../monitors/generator-monitor.js';
import { mergePublishReports, type PublishReport } from '../publisher/publish-report.js';
import { Publisher } from '../publisher/publisher.js';
import { deriveSeed } from '../publisher/rng.js';
import { describeMarker, markerFor, type Profile } from '../profiles/profile-types.js';
import type { PhaseParams, PhaseResult } from '../result/types.js';
import type { StreamExpectation } from '../protocol/stream-expectation.js';
import { foreignStreams } from '../shard/foreign-streams.js';
import { sourcePortSlice } from '../shard/source-addresses.js';
import { shardOriginKey, shardPublisherSeed, shardRate, shardWorkerSeed } from '../shard/split.js';
import type { WorkerInit } from '../worker/messages.js';
import { topicNames, type Topology } from '../workload/topology.js';
import type { PhasePlan } from './plan.js';
import { newRecording, type PhaseRecording } from './phase-recording.js';
import type { PhaseProgress, PhaseTotals, ProgressListener, SecondListener, SecondRecord, Stage } from './progress.js';
import { summarisePhase } from './summarise.js';
import type { PhaseTarget } from './target.js';
import { processCount } from './client-processes.js';
import { groupInits, WorkerPool } from './worker-pool.js';

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
  return (await PhaseRun.prepare(plan, env)).run();
}

/** Whatever ended a phase early: Ctrl-C, the server dying, a worker failing, an invalid phase. */
interface Interruption {
  readonly status: 'partial' | 'failed';
  readonly message: string;
  readonly code?: ErrorCode;
}

/**
 * The state of one running phase in one place (rather than a long function's closures): what
 * it has recorded, the threads, publisher and monitors it runs, its stage, and what — if
 * anything — interrupted it. `run()` walks the stages; `finish()` always collects.
 */
class PhaseRun {
  readonly #plan: PhasePlan;
  readonly #env: PhaseEnvironment;
  readonly #rec: PhaseRecording;
  readonly #phaseStartUs: number;
  readonly #topology: Topology;
  readonly #generator = new GeneratorMonitor();
  readonly #proxy: ShapingProxy | undefined;
  readonly #pool: WorkerPool;
  /** Every second's latency as it arrives, for the progress line's p99 (the window's once it opens). */
  readonly #liveLatency = newHistogram();
  /** Aborted when the phase ends, so none of its own waits outlives it. */
  readonly #phaseOver = new AbortController();
  readonly #wait: AbortSignal;
  readonly #interrupted: Promise<void>;
  #wake!: () => void;
  #interruption: Interruption | undefined;
  #stage: Stage = 'connecting';
  #stopSampling: () => void = () => {};
  #publisher: Publisher | undefined;
  #stopStalls: (() => void) | undefined;
  #restarts: RestartSchedule | undefined;
  readonly #onAbort = (): void => this.#interrupt({ status: 'partial', message: 'interrupted' });

  private constructor(plan: PhasePlan, env: PhaseEnvironment, rec: PhaseRecording, phaseStartUs: number, proxy: ShapingProxy | undefined, processes: number) {
    const { config, target } = env;
    this.#plan = plan;
    this.#env = env;
    this.#rec = rec;
    this.#phaseStartUs = phaseStartUs;
    this.#proxy = proxy;
    this.#topology = { pattern: config.workload.pattern, topics: plan.topics, roomSize: config.workload.roomSize, prefix: env.topicPrefix };
    const clientUrl = plan.client.tls === true ? (target.tlsUrl ?? target.url) : target.url;
    const clientPlan = target.tlsCert !== undefined || config.insecure === true ? { ...plan, client: { ...plan.client, ...(target.tlsCert !== undefined ? { ca: target.tlsCert } : {}), ...(config.insecure === true ? { insecure: true } : {}) } } : plan;
    const viaProxy = proxy !== undefined && clientUrl.startsWith('https:') ? proxy.url.replace(/^http:/, 'https:') : proxy?.url;
    this.#pool = new WorkerPool(workerInits(clientPlan, config, viaProxy ?? clientUrl, target.profile, this.#topology, rec.workers, processes, phaseStartUs), processes);
    this.#pool.onTick((tick, workerIndex) => {
      rec.ticks[workerIndex][tick.second] = tick;
      // Once the window is open the live p99 is the window's, as the final one is (not warm-up's).
      const windowStartUs = rec.timeline.windowStartUs;
      if (windowStartUs === undefined || phaseStartUs + (tick.second + 1) * 1_000_000 > windowStartUs) this.#liveLatency.add(decodeHistogram(tick.secondLatency));
      if (env.onSecond !== undefined && rec.ticks.every((ticks) => ticks[tick.second] !== undefined)) {
        const latency = secondLatency(rec, tick.second);
        env.onSecond(secondRecord(rec, tick.second, this.#stage, latency), { latency, totals: phaseTotals(rec, tick.second) });
      }
    });
    this.#wait = AbortSignal.any([env.signal, this.#phaseOver.signal]);
    this.#interrupted = new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** Samples the server's baseline and starts the proxy (a shaped link) before any thread starts. */
  static async prepare(plan: PhasePlan, env: PhaseEnvironment): Promise<PhaseRun> {
    const { config, target } = env;
    const processes = processCount(config.processes, ownClients(plan));
    // Several processes: at least one worker thread each, the same number in every process.
    const workers = processes === 1 ? Math.max(1, Math.min(config.workers, ownClients(plan))) : Math.min(ownClients(plan), Math.ceil(Math.max(config.workers, processes) / processes) * processes);
    const phaseStartUs = nowUs() + STARTUP_US;
    const rec = newRecording(plan, phaseParams(plan, config, workers, processes), phaseStartUs);
    rec.serverSource = target.source.kind;
    rec.serverBaseline = await target.source.sample();
    // A shaped link: clients reach the server through rtbench's proxy; the publisher does not.
    const shape = config.faults.find((f) => f.kind === 'shape');
    // A TLS phase's clients reach the TLS port through it (the proxy relays bytes; TLS runs end to end).
    const proxy = shape !== undefined ? await ShapingProxy.start(plan.client.tls === true ? (target.tlsUrl ?? target.url) : target.url, shape) : undefined;
    return new PhaseRun(plan, env, rec, phaseStartUs, proxy, processes);
  }

  async run(): Promise<PhaseResult> {
    const { config, target, signal } = this.#env;
    const plan = this.#plan;
    this.#generator.start();
    const connectBudgetUs = Math.round((ownClients(plan) / config.clients.connectRate) * 1.5e6) + 15_000_000;
    // What the phase should take when all goes well (the drain usually ends early).
    const expectedS = (STARTUP_US + (ownClients(plan) / config.clients.connectRate) * 1e6 + PUBLISH_LEAD_US + config.warmupUs + config.durationUs + Math.min(plan.drainUs, 1e6)) / 1e6;
    this.#stopSampling = startSampler(this.#rec, target, this.#generator, this.#phaseStartUs, () => {
      this.#env.onProgress?.(progressOf(this.#rec, this.#env, this.#stage, expectedS, this.#liveLatency));
    });
    if (signal.aborted) this.#onAbort();
    signal.addEventListener('abort', this.#onAbort, { once: true });
    void target.died.then((error) => this.#interrupt({ status: 'failed', message: error.message, code: error.code }));
    void this.#pool.failed.then((error) => this.#interrupt({ status: 'failed', message: error.message, code: isRtbError(error) ? error.code : 'RTB_ERR_RUN_FAILED' }));
    try {
      if ((await this.#connect(connectBudgetUs)) && (await this.#measure()) && (await this.#publishingOver())) await this.#drain();
    } catch (error) {
      this.#interrupt({ status: 'failed', message: isRtbError(error) ? error.message : describeError(error) });
    }
    return this.#finish();
  }

  #interrupt(interruption: Interruption): void {
    this.#interruption ??= interruption;
    this.#wake();
  }

  /** Waits for `step`, or for an interruption; true when the step finished. */
  async #reached(step: Promise<unknown>): Promise<boolean> {
    await Promise.race([step, this.#interrupted]);
    return this.#interruption === undefined;
  }

  /** 1. Every client connects (or the stragglers are given up on after the connect budget). */
  async #connect(budgetUs: number): Promise<boolean> {
    const rec = this.#rec;
    let everyoneConnected = false;
    if (!(await this.#reached(Promise.race([this.#pool.allConnected().then(() => (everyoneConnected = true)), sleep(budgetUs / 1000, this.#wait)])))) return false;
    rec.timeline.connectedUs = nowUs();
    if (everyoneConnected) return true;
    const connectedNow = sumLatest(rec, (t) => t.everConnected);
    if (connectedNow === 0) {
      this.#interrupt({ status: 'failed', message: `no client connected within ${Math.round(budgetUs / 1e6)} s — check the profile's ${this.#plan.transport} section (rtbench profile check shows each step)`, code: 'RTB_ERR_PHASE_INVALID' });
      return false;
    }
    rec.warnings.push(`only ${connectedNow} of ${ownClients(this.#plan)} clients connected within ${Math.round(budgetUs / 1e6)} s; the window ran with those`);
    return true;
  }

  /** 2. Warm up and measure: publishing starts now and stops at the window's end. */
  async #measure(): Promise<boolean> {
    const { config, target } = this.#env;
    const rec = this.#rec;
    const plan = this.#plan;
    const publishStartUs = nowUs() + PUBLISH_LEAD_US;
    const windowStartUs = publishStartUs + config.warmupUs;
    const windowEndUs = windowStartUs + config.durationUs;
    Object.assign(rec.timeline, { publishStartUs, windowStartUs, windowEndUs });
    this.#pool.broadcast({ type: 'window', publishStartUs, windowStartUs, windowEndUs });
    if (config.workload.pattern !== 'rooms') {
      this.#publisher = new Publisher({
        targetUrl: target.url,
        publish: target.profile.publish,
        topics: topicNames(this.#topology),
        totalRatePerS: shardRate(totalRateOf(plan), plan.shard?.count ?? 1),
        arrival: config.workload.arrival,
        payloadBytes: plan.payloadBytes,
        seed: plan.shard !== undefined ? shardPublisherSeed(plan.seed, plan.shard.index) : plan.seed,
        ...(plan.shard !== undefined ? { originIndex: plan.shard.index } : {}),
        startUs: publishStartUs,
        windowStartUs,
        windowEndUs,
        phaseStartUs: this.#phaseStartUs,
      });
      await sleepUntilUs(publishStartUs, this.#wait);
      this.#publisher.start();
    }
    this.#stage = 'warming up';
    if (!(await this.#reached(sleepUntilUs(windowStartUs, this.#wait)))) return false;
    rec.serverAtWindowStart = await target.source.sample();
    rec.generatorAtWindowStart = this.#generator.sample();
    this.#stage = 'measuring';
    this.#liveLatency.reset();
    this.#stopStalls = scheduleStalls(config.faults, target, windowStartUs, rec.warnings);
    this.#restarts = new RestartSchedule(config.faults, target, windowStartUs, {
      // Rooms: the clients publish, and their refusals reach the runner with each second's tick.
      publishErrors: () => this.#publisher?.errors ?? sumLatest(rec, (t) => t.counters.publishErrors),
      settleMs: this.#publisher !== undefined ? 100 : 1100,
      onBegin: (atUs) => this.#pool.broadcast({ type: 'restart', atUs }),
      onError: (error) => this.#interrupt({ status: 'failed', message: isRtbError(error) ? error.message : describeError(error), code: isRtbError(error) ? error.code : 'RTB_ERR_SERVER_DIED' }),
    });
    if (!(await this.#reached(sleepUntilUs(windowEndUs, this.#wait)))) return false;
    rec.serverAtWindowEnd = await target.source.sample();
    rec.serverStats = await target.stats();
    rec.generatorAtWindowEnd = this.#generator.sample();
    return true;
  }

  /** 3. Publishing has stopped: check it was valid, and tell the workers what their clients are owed. */
  async #publishingOver(): Promise<boolean> {
    const rec = this.#rec;
    this.#stage = 'draining';
    const publisher = this.#publisher;
    const reported = publisher !== undefined ? publisher.done().then((report) => (rec.published = report)) : this.#pool.allPublished().then((reports) => (rec.published = mergePublishReports(reports)));
    if (!(await this.#reached(reported))) return false;
    // A restart still under way decides which publishes it refused and what its log lost.
    if (this.#restarts !== undefined && !(await this.#reached(this.#restarts.settled()))) return false;
    const invalid = publishingProblem(rec.published!, this.#env.target, this.#restarts?.publishErrors ?? 0);
    if (invalid !== undefined) {
      this.#interrupt({ status: 'failed', message: invalid, code: 'RTB_ERR_PHASE_INVALID' });
      return false;
    }
    const lostLogThrough = this.#restarts?.lostLogThrough(topicNames(this.#topology)) ?? [];
    this.#pool.broadcast({ type: 'expected', streams: [...rec.published!.streams, ...this.#foreignStreams()], ...(lostLogThrough.length > 0 ? { lostLogThrough } : {}) });
    return true;
  }

  /** A sharded phase: what the other shards' publishers scheduled, which this shard's subscribers are owed too. */
  #foreignStreams(): StreamExpectation[] {
    const plan = this.#plan;
    const timeline = this.#rec.timeline;
    const { config } = this.#env;
    // Rooms are split whole: no other shard publishes into this shard's rooms.
    if (plan.shard === undefined || plan.shard.count === 1 || timeline.publishStartUs === undefined || config.workload.pattern === 'rooms') return [];
    return foreignStreams({
      shardCount: plan.shard.count,
      ownIndex: plan.shard.index,
      seed: plan.seed,
      arrival: config.workload.arrival,
      totalRatePerS: totalRateOf(plan),
      topics: plan.topics,
      warmupUs: config.warmupUs,
      durationUs: config.durationUs,
      startUs: timeline.publishStartUs,
    });
  }

  /** 4. Drain: until every expected delivery arrived, or the drain time is up. */
  async #drain(): Promise<void> {
    const drained = await this.#reached(Promise.race([this.#pool.allDrained().then(() => true), sleep(this.#plan.drainUs / 1000, this.#wait).then(() => false)]));
    if (drained) this.#rec.timeline.endUs = nowUs();
  }

  /** Stops everything the phase started, collects the workers' reports and summarises — whatever happened. */
  async #finish(): Promise<PhaseResult> {
    const rec = this.#rec;
    this.#stage = 'collecting';
    this.#stopStalls?.();
    this.#restarts?.cancel();
    // Never leave a restart half done: the server must be back (or known gone) before the phase ends.
    if (this.#restarts !== undefined) {
      await settleWithin(this.#restarts.settled(), 30_000);
      rec.restarts = this.#restarts.records;
    }
    rec.faultMarks = faultMarks(this.#env.config.faults, this.#phaseStartUs, rec.timeline.windowStartUs, rec.timeline.windowEndUs, rec.restarts ?? []);
    this.#phaseOver.abort();
    this.#env.signal.removeEventListener('abort', this.#onAbort);
    const publisher = this.#publisher;
    publisher?.stop();
    if (rec.published === undefined && publisher !== undefined) rec.published = await settleWithin(publisher.done(), 5000);
    this.#stopSampling();
    rec.timeline.endUs ??= nowUs();
    rec.finals = (await settleWithin(this.#pool.stop(), 10_000)) ?? [];
    await this.#pool.terminate();
    await this.#proxy?.close();
    this.#generator.stop();
    if (this.#interruption === undefined) {
      const nothing = nothingDelivered(rec, this.#env.target);
      if (nothing !== undefined) this.#interruption = { status: 'failed', message: nothing, code: 'RTB_ERR_PHASE_INVALID' };
    }
    const interruption = this.#interruption;
    if (interruption !== undefined) {
      rec.status = interruption.status;
      rec.error = interruption.message;
      if (interruption.code !== undefined) rec.errorCode = interruption.code;
    }
    return summarisePhase(rec);
  }
}

function phaseParams(plan: PhasePlan, config: RunConfig, workers: number, processes: number): PhaseParams {
  const w = config.workload;
  return {
    pattern: w.pattern,
    clients: plan.clients,
    topics: plan.topics,
    rate: plan.ratePerS,
    arrival: w.arrival,
    payloadBytes: plan.payloadBytes,
    ...(w.pattern === 'rooms' ? { roomSize: w.roomSize } : {}),
    ...(plan.client.pollIntervalUs !== undefined ? { pollIntervalUs: plan.client.pollIntervalUs } : {}),
    ...(plan.client.longPollTimeoutMs !== undefined ? { longPollTimeoutMs: plan.client.longPollTimeoutMs } : {}),
    ...(plan.client.sseClient !== undefined ? { sseClient: plan.client.sseClient } : {}),
    ...(plan.client.http === '2' ? { http: '2' as const, streamsPerConnection: plan.client.streamsPerConnection } : {}),
    ...(plan.client.tls === true ? { tls: true as const } : {}),
    durationUs: config.durationUs,
    warmupUs: config.warmupUs,
    drainUs: plan.drainUs,
    workers,
    ...(processes > 1 ? { processes } : {}),
    seed: plan.seed,
  };
}

/** Clients this process holds: all of them, or a shard's slice. */
function ownClients(plan: PhasePlan): number {
  return plan.shard?.clients ?? plan.clients;
}

/** Events/s of the whole run over all topics (broadcast, per-client). */
function totalRateOf(plan: PhasePlan): number {
  return plan.ratePer === 'topic' ? plan.ratePerS * plan.topics : plan.ratePerS;
}

function workerInits(plan: PhasePlan, config: RunConfig, targetUrl: string, profile: Profile, topology: Topology, workers: number, processes: number, phaseStartUs: number): WorkerInit[] {
  const inits: WorkerInit[] = [];
  const clients = ownClients(plan);
  const base = Math.floor(clients / workers);
  const shard = plan.shard;
  let first = shard?.firstClient ?? 0;
  // Each worker takes its turn through the source addresses, so together they use them evenly;
  // with several processes (each a contiguous group of workers, groupInits), each process its own share.
  const processOf = workers === 0 ? [] : groupInits(Array.from({ length: workers }, (_, i) => ({ workerIndex: i }) as WorkerInit), processes).flatMap((group, p) => group.map(() => p));
  for (let i = 0; i < workers; i++) {
    const all = config.sourceAddresses;
    const splitByProcess = all !== undefined && processes > 1 && all.length >= processes;
    const addresses = splitByProcess ? all.filter((_, k) => k % processes === processOf[i]) : all;
    // Port slices need only be disjoint among the workers that share addresses: its process's, or all.
    const sharing = splitByProcess ? processOf.filter((p) => p === processOf[i]).length : workers;
    const rank = splitByProcess ? processOf.slice(0, i).filter((p) => p === processOf[i]).length : i;
    const count = base + (i < clients % workers ? 1 : 0);
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
      seed: deriveSeed(shard !== undefined ? shardWorkerSeed(plan.seed, shard.index) : plan.seed, i),
      // Rooms: every event a shard's clients receive was published by its own clients, on its own clock.
      ...(shard !== undefined && config.workload.pattern !== 'rooms' ? { ownOriginKey: shardOriginKey(shard.index) } : {}),
      ...(addresses !== undefined && addresses.length > 0 ? { sourceAddresses: addresses.map((_, k) => addresses[(i + k) % addresses.length]), sourcePorts: sourcePortSlice(rank, sharing) } : {}),
      ...(config.workload.pattern === 'rooms' ? { upstream: { ratePerS: plan.ratePerS, arrival: config.workload.arrival, payloadBytes: plan.payloadBytes } } : {}),
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
function publishingProblem(report: PublishReport, target: PhaseTarget, refusedByRestarts: number): string | undefined {
  const statuses = Object.entries(report.errorStatuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status === '0' ? 'no answer' : `HTTP ${status}`} ×${n}`)
    .join(', ');
  const accepted = target.profile.publish.accepted.join(', ');
  if (report.eventsInWindow === 0) return 'no event was scheduled in the measurement window (rate too low for the duration?)';
  if (report.acceptedInWindow === 0) {
    return `the server accepted none of ${report.sent} publishes (${statuses || 'no answer'}); ${target.profile.source} expects publish status ${accepted} — check its publish section`;
  }
  // Publishes a restart refused were not published (restart-schedule.ts): not held against the phase.
  if (report.errors - refusedByRestarts > MAX_PUBLISH_ERROR_RATIO * report.sent) {
    return `${report.errors - refusedByRestarts} of ${report.sent} publishes failed (${statuses}${refusedByRestarts > 0 ? `; ${refusedByRestarts} more while the server restarted` : ''}); more than ${MAX_PUBLISH_ERROR_RATIO * 100} % makes delivery figures meaningless`;
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

/** Latency of every event received in second `second`, over every worker. */
function secondLatency(rec: PhaseRecording, second: number): Histogram {
  const latency = newHistogram();
  for (const ticks of rec.ticks) latency.add(decodeHistogram(ticks[second]!.secondLatency));
  return latency;
}

/** The phase's client totals at the end of second `second` (each worker's counters are cumulative). */
function phaseTotals(rec: PhaseRecording, second: number): PhaseTotals {
  const totals: PhaseTotals = { delivered: 0, requests: 0, bytesDown: 0, bytesUp: 0, duplicated: 0, reconnects: 0, generatorCpuUs: null };
  for (const ticks of rec.ticks) {
    const tick = ticks[second]!;
    totals.delivered += tick.counters.received;
    totals.requests += tick.counters.requests;
    totals.bytesDown += tick.counters.bytesDown;
    totals.bytesUp += tick.counters.bytesUp;
    totals.duplicated += tick.duplicated ?? 0;
    totals.reconnects += tick.reconnects ?? 0;
  }
  const [first, last] = [rec.generatorSamples[0], rec.generatorSamples.at(-1)];
  if (first !== undefined && last !== undefined && last !== first) totals.generatorCpuUs = last.cpuUs - first.cpuUs;
  return totals;
}

/** Second `second` of the phase, from every worker's tick, its latency (secondLatency) and the latest load samples. */
function secondRecord(rec: PhaseRecording, second: number, stage: Stage, latency: Histogram): SecondRecord {
  let connected = 0;
  let delivered = 0;
  let requests = 0;
  let bytesDown = 0;
  for (const ticks of rec.ticks) {
    const tick = ticks[second]!;
    const previous = second > 0 ? ticks[second - 1] : undefined;
    connected += tick.connected;
    delivered += tick.counters.received - (previous?.counters.received ?? 0);
    requests += tick.counters.requests - (previous?.counters.requests ?? 0);
    bytesDown += tick.counters.bytesDown - (previous?.counters.bytesDown ?? 0);
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
    clients: ownClients(rec.plan),
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

