/**
 * Entry of a client worker thread: holds `clientCount` clients of one transport, connects
 * them at the ramp rate, reports a tick every second of the phase, publishes upstream for
 * rooms, and sends one final report when told to stop. See messages.ts for the protocol.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { BenchClient } from '../clients/client-base.js';
import { ClientEnvironment } from '../clients/client-environment.js';
import { createClient } from '../clients/create-client.js';
import type { StreamTally } from '../clients/delivery-tracker.js';
import { nowUs } from '../clock.js';
import { describeError } from '../errors.js';
import { encodeHistogram } from '../metrics/histogram.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';
import type { StreamExpectation } from '../protocol/stream-expectation.js';
import { deriveSeed, seededRandom } from '../publisher/rng.js';
import { topicIndexOf, topicName } from '../workload/topology.js';
import type { CounterSnapshot, FromWorker, ToWorker, WorkerInit } from './messages.js';
import { threadCpuUs } from './thread-cpu.js';
import { UpstreamPublisher } from './upstream-publisher.js';

/** How often a worker checks whether every expected delivery has arrived, during the drain. */
const DRAIN_CHECK_MS = 25;
const CONNECT_CHECK_MS = 20;

/** One worker's clients and everything it keeps between messages, in one place. */
class ClientWorker {
  readonly #init: WorkerInit;
  readonly #post: (message: FromWorker) => void;
  readonly #env: ClientEnvironment;
  readonly #load = new ProcessLoadSampler();
  readonly #clients: BenchClient[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #lastElu = performance.eventLoopUtilization();
  #lastCpuUs = threadCpuUs();
  #lastCpuAtUs = nowUs();
  #connectedReported = false;
  #drainedReported = false;
  /** Per topic index, the publishing streams it carries; undefined until publishing is over. */
  #expected: Map<number, StreamExpectation[]> | undefined;
  /** Per stream (`originKey/topicIndex`): seqs up to this were in a log a restart lost. */
  #lostLogThrough = new Map<string, number>();
  #windowStartUs = Number.POSITIVE_INFINITY;
  #windowStart: CounterSnapshot | undefined;
  #windowEnd: CounterSnapshot | undefined;
  #upstream: UpstreamPublisher | undefined;
  #lastTickSecond = -1;

  constructor(init: WorkerInit, post: (message: FromWorker) => void) {
    this.#init = init;
    this.#post = post;
    this.#env = new ClientEnvironment(init.targetUrl, init.profile, undefined, init.client.transport, init.client);
    this.#env.reconnect = init.reconnect;
    this.#env.resume = init.resume;
    if (init.ownOriginKey !== undefined) this.#env.metrics.ownOriginKey = init.ownOriginKey;
    if (init.sourceAddresses !== undefined) this.#env.sourceAddresses = init.sourceAddresses;
    if (init.sourcePorts !== undefined) this.#env.sourcePorts = init.sourcePorts;
    const random = seededRandom(deriveSeed(init.seed, 1_000_000 + init.workerIndex));
    for (let i = 0; i < init.clientCount; i++) {
      const index = init.firstClient + i;
      this.#clients.push(createClient(init.client, this.#env, index, topicName(init.topology, topicIndexOf(init.topology, index)), random));
    }
    // Slow consumers: the first `share` of this worker's clients read at a capped rate.
    for (const fault of init.faults) {
      if (fault.kind !== 'slow') continue;
      const count = Math.round(fault.share * this.#clients.length);
      for (let i = 0; i < count; i++) this.#clients[i].readBytesPerS = fault.bytesPerS;
    }
  }

  start(): void {
    this.#load.start();
    this.#ramp(0);
    this.#checkConnected();
    this.#later((this.#init.phaseStartUs + 1_000_000 - nowUs()) / 1000, () => this.#tick(0));
  }

  receive(message: ToWorker): void {
    switch (message.type) {
      case 'window':
        this.#openWindow(message.publishStartUs, message.windowStartUs, message.windowEndUs);
        break;
      case 'expected':
        this.#expected = new Map();
        for (const stream of message.streams) {
          const list = this.#expected.get(stream.topicIndex);
          if (list === undefined) this.#expected.set(stream.topicIndex, [stream]);
          else list.push(stream);
        }
        for (const mark of message.lostLogThrough ?? []) this.#lostLogThrough.set(`${mark.originKey}/${mark.topicIndex}`, mark.seq);
        this.#checkDrained();
        break;
      case 'restart':
        this.#restarting(message.atUs);
        break;
      case 'stop':
        this.#stop();
        break;
    }
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(timer);
  }

  #snapshot(): CounterSnapshot {
    const bytes = this.#env.sockets.totals();
    const m = this.#env.metrics;
    return {
      requests: m.requests,
      missedPolls: m.missedPolls,
      emptyResponses: m.emptyResponses,
      received: m.received,
      bytesDown: bytes.bytesIn,
      bytesUp: bytes.bytesOut,
      connections: this.#env.sockets.open,
      publishRequests: m.publishRequests,
      publishErrors: m.publishErrors,
    };
  }

  #everConnected(): number {
    let n = 0;
    for (const client of this.#clients) if (client.everConnected) n++;
    return n;
  }

  /** Opens connections at the ramp rate: client k of this worker starts k / rate s into the phase. */
  #ramp(next: number): void {
    const { phaseStartUs, connectRatePerS } = this.#init;
    const intervalUs = 1_000_000 / connectRatePerS;
    const now = nowUs();
    while (next < this.#clients.length && phaseStartUs + next * intervalUs <= now) this.#clients[next++].start();
    if (next < this.#clients.length) this.#later((phaseStartUs + next * intervalUs - nowUs()) / 1000, () => this.#ramp(next));
  }

  #checkConnected(): void {
    if (this.#connectedReported) return;
    const everConnected = this.#everConnected();
    if (everConnected === this.#clients.length) {
      this.#connectedReported = true;
      this.#post({ type: 'connected', everConnected, connectErrors: this.#env.metrics.connectErrors });
    } else {
      this.#later(CONNECT_CHECK_MS, () => this.#checkConnected());
    }
  }

  /** One tick per second of the phase, aligned to its start so every worker's seconds line up. */
  #tick(second: number): void {
    this.#postTick(second);
    this.#later((this.#init.phaseStartUs + (second + 2) * 1_000_000 - nowUs()) / 1000, () => this.#tick(second + 1));
  }

  #postTick(second: number): void {
    this.#lastTickSecond = second;
    const elu = performance.eventLoopUtilization(this.#lastElu);
    this.#lastElu = performance.eventLoopUtilization();
    const cpuUs = threadCpuUs();
    const atUs = nowUs();
    const cpuShare = atUs > this.#lastCpuAtUs ? (cpuUs - this.#lastCpuUs) / (atUs - this.#lastCpuAtUs) : Number.NaN;
    this.#lastCpuUs = cpuUs;
    this.#lastCpuAtUs = atUs;
    const m = this.#env.metrics;
    this.#post({
      type: 'tick',
      second,
      connected: m.connected,
      everConnected: this.#everConnected(),
      counters: this.#snapshot(),
      secondLatency: encodeHistogram(m.secondLatency),
      utilization: elu.utilization,
      loopDelayP99Us: this.#load.sample().loopDelay.p99Us,
      cpuShare,
      delivered: m.delivered,
      duplicated: m.duplicated,
      reconnects: m.reconnects,
    });
    m.resetSecondLatency();
  }

  #openWindow(publishStartUs: number, windowStartUs: number, windowEndUs: number): void {
    const m = this.#env.metrics;
    m.windowStartUs = windowStartUs;
    m.windowEndUs = windowEndUs;
    this.#windowStartUs = windowStartUs;
    this.#later((windowStartUs - nowUs()) / 1000, () => (this.#windowStart = this.#snapshot()));
    this.#later((windowEndUs - nowUs()) / 1000, () => (this.#windowEnd = this.#snapshot()));
    this.#scheduleFaults(windowStartUs, windowEndUs);
    const init = this.#init;
    if (init.upstream === undefined) return;
    this.#upstream = new UpstreamPublisher(
      this.#clients.map((client) => ({ client, topicIndex: topicIndexOf(init.topology, client.index) })),
      { ...init.upstream, seed: init.seed, publishStartUs, windowStartUs, windowEndUs, phaseStartUs: init.phaseStartUs },
    );
    this.#upstream.start((report) => this.#post({ type: 'published', ...report }));
  }

  /**
   * The cuts and storms of the scenario, timed from the window's start: each time, `share` of
   * this worker's clients (a different slice each time, so every client is cut in turn) lose
   * their connections.
   */
  #scheduleFaults(windowStartUs: number, windowEndUs: number): void {
    const clients = this.#clients;
    let turn = 0;
    const cut = (share: number, mode: 'fin' | 'rst'): void => {
      const count = Math.max(1, Math.round(share * clients.length));
      const first = (turn++ * count) % clients.length;
      for (let i = 0; i < count && i < clients.length; i++) clients[(first + i) % clients.length].cut(mode);
    };
    for (const fault of this.#init.faults) {
      if (fault.kind !== 'cut' && fault.kind !== 'storm') continue; // stall, shape: the runner's; slow: set at start
      const share = fault.kind === 'storm' ? 1 : fault.share;
      if (fault.atUs !== undefined) this.#later((windowStartUs + fault.atUs - nowUs()) / 1000, () => cut(share, fault.mode));
      if (fault.kind === 'cut' && fault.everyUs !== undefined) {
        for (let at = windowStartUs + fault.everyUs; at < windowEndUs; at += fault.everyUs) this.#later((at - nowUs()) / 1000, () => cut(share, fault.mode));
      }
    }
  }

  /**
   * The server is restarting: every client's connection ends with it (counted as a cut), and
   * its recovery is timed from `atUs` to its next event.
   */
  #restarting(atUs: number): void {
    const m = this.#env.metrics;
    for (const client of this.#clients) {
      if (!client.everConnected) continue;
      m.cuts++;
      client.tracker.cutAtUs = atUs;
    }
  }

  /** Of the clients' losses, those in a log a restart lost (seqs up to each stream's lostLogThrough mark). */
  #lostInRestarts(): number {
    if (this.#lostLogThrough.size === 0) return 0;
    return this.#tally((stream) => {
      const through = this.#lostLogThrough.get(`${stream.originKey}/${stream.topicIndex}`);
      return through === undefined ? undefined : { ...stream, lastSeq: Math.min(stream.lastSeq, through) };
    }).lost;
  }

  /**
   * Every client's figures against the streams of its topic (DESIGN §4: per stream, never
   * netted); `only` narrows or skips a stream (undefined: skipped).
   */
  #tally(only: (stream: StreamExpectation) => StreamExpectation | undefined = (stream) => stream): StreamTally {
    const tally: StreamTally = { expected: 0, delivered: 0, lost: 0, unexpected: 0 };
    const expected = this.#expected;
    if (expected === undefined) return tally;
    const topology = this.#init.topology;
    for (const client of this.#clients) {
      if (!client.everConnected) continue;
      const streams = expected.get(topicIndexOf(topology, client.index));
      if (streams === undefined) continue;
      const fromStart = client.connectedAtUs <= this.#windowStartUs;
      for (const stream of streams) {
        const counted = only(stream);
        if (counted !== undefined) client.tracker.tally(counted, fromStart, tally);
      }
    }
    return tally;
  }

  #checkDrained(): void {
    if (this.#drainedReported) return;
    // What a restart's lost log held can never arrive: waiting for it would only use up the drain.
    if (this.#tally().lost === this.#lostInRestarts()) {
      this.#drainedReported = true;
      this.#post({ type: 'drained' });
    } else {
      this.#later(DRAIN_CHECK_MS, () => this.#checkDrained());
    }
  }

  #stop(): void {
    this.#upstream?.stop();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const client of this.#clients) client.stop();
    // The last, partial second: deliveries after the last whole second belong in the series too.
    this.#postTick(this.#lastTickSecond + 1);
    this.#load.stop();
    const m = this.#env.metrics;
    const tally = this.#tally();
    // Stopped before publishing was over (Ctrl-C, a failure): what was owed is unknown, and
    // delivered is every first receipt of an event scheduled in the window.
    const known = this.#expected !== undefined;
    this.#post({
      type: 'final',
      latency: encodeHistogram(m.latency),
      connect: encodeHistogram(m.connect),
      recovery: encodeHistogram(m.recovery),
      cuts: m.cuts,
      expectationsKnown: known,
      expected: tally.expected,
      delivered: known ? tally.delivered : m.delivered,
      lost: tally.lost,
      ...(this.#lostLogThrough.size > 0 ? { lostInRestarts: this.#lostInRestarts() } : {}),
      unexpected: tally.unexpected,
      duplicated: m.duplicated,
      outOfOrder: m.outOfOrder,
      gaps: m.gaps,
      protocolErrors: m.protocolErrors,
      otherMessages: m.otherMessages,
      connectErrors: m.connectErrors,
      requestErrors: m.requestErrors,
      reconnects: m.reconnects,
      connected: m.connected,
      everConnected: this.#everConnected(),
      windowStart: this.#windowStart,
      windowEnd: this.#windowEnd ?? (this.#windowStart ? this.#snapshot() : undefined),
    });
  }
}

const port = parentPort!;
const worker = new ClientWorker(workerData as WorkerInit, (message) => port.postMessage(message));
port.on('message', (message: ToWorker) => {
  try {
    worker.receive(message);
  } catch (error) {
    port.postMessage({ type: 'fatal', message: describeError(error) } satisfies FromWorker);
  }
});
worker.start();
