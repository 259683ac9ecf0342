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
import { nowUs } from '../clock.js';
import { describeError } from '../errors.js';
import { encodeHistogram } from '../metrics/histogram.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';
import { deriveSeed, seededRandom } from '../publisher/rng.js';
import { topicIndexOf, topicName } from '../workload/topology.js';
import type { CounterSnapshot, FromWorker, ToWorker, WorkerInit } from './messages.js';
import { UpstreamPublisher } from './upstream-publisher.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const env = new ClientEnvironment(init.targetUrl);
const metrics = env.metrics;
const load = new ProcessLoadSampler();
const random = seededRandom(deriveSeed(init.seed, 1_000_000 + init.workerIndex));
const clients: BenchClient[] = [];
const timers = new Set<NodeJS.Timeout>();
let everConnected = 0;
let connectedReported = false;
let expected = Number.POSITIVE_INFINITY;
let drainedReported = false;
let windowStart: CounterSnapshot | undefined;
let windowEnd: CounterSnapshot | undefined;
let upstream: UpstreamPublisher | undefined;
let lastElu = performance.eventLoopUtilization();

function post(message: FromWorker): void {
  port.postMessage(message);
}

function later(ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    timers.delete(timer);
    fn();
  }, Math.max(0, ms));
  timers.add(timer);
}

function snapshot(): CounterSnapshot {
  const bytes = env.sockets.totals();
  return {
    requests: metrics.requests,
    emptyResponses: metrics.emptyResponses,
    received: metrics.received,
    bytesDown: bytes.bytesIn,
    bytesUp: bytes.bytesOut,
    publishRequests: metrics.publishRequests,
    publishErrors: metrics.publishErrors,
  };
}

for (let i = 0; i < init.clientCount; i++) {
  const index = init.firstClient + i;
  clients.push(createClient(init.client, env, index, topicName(init.topology, topicIndexOf(init.topology, index)), random));
}

/** Opens connections at the ramp rate: client k of this worker starts k / rate s into the phase. */
function ramp(next: number): void {
  const now = nowUs();
  const intervalUs = 1_000_000 / init.connectRatePerS;
  while (next < clients.length && init.phaseStartUs + next * intervalUs <= now) clients[next++].start();
  if (next < clients.length) later((init.phaseStartUs + next * intervalUs - nowUs()) / 1000, () => ramp(next));
}

function checkConnected(): void {
  if (connectedReported) return;
  everConnected = 0;
  for (const client of clients) if (client.everConnected) everConnected++;
  if (everConnected === clients.length) {
    connectedReported = true;
    post({ type: 'connected', everConnected, connectErrors: metrics.connectErrors });
  } else {
    later(20, checkConnected);
  }
}

/** One tick per second of the phase, aligned to its start so every worker's seconds line up. */
function tick(second: number): void {
  const elu = performance.eventLoopUtilization(lastElu);
  lastElu = performance.eventLoopUtilization();
  let ever = 0;
  for (const client of clients) if (client.everConnected) ever++;
  post({
    type: 'tick',
    second,
    connected: metrics.connected,
    everConnected: ever,
    counters: snapshot(),
    secondLatency: encodeHistogram(metrics.secondLatency),
    utilization: elu.utilization,
    loopDelayP99Us: load.sample().loopDelay.p99Us,
    delivered: metrics.delivered,
  });
  metrics.secondLatency.reset();
  later((init.phaseStartUs + (second + 2) * 1_000_000 - nowUs()) / 1000, () => tick(second + 1));
}

function checkDrained(): void {
  if (drainedReported) return;
  if (metrics.delivered >= expected) {
    drainedReported = true;
    post({ type: 'drained' });
  } else {
    later(25, checkDrained);
  }
}

function stop(): void {
  upstream?.stop();
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  for (const client of clients) client.stop();
  load.stop();
  let ever = 0;
  for (const client of clients) if (client.everConnected) ever++;
  post({
    type: 'final',
    latency: encodeHistogram(metrics.latency),
    connect: encodeHistogram(metrics.connect),
    expected: Number.isFinite(expected) ? expected : 0,
    delivered: metrics.delivered,
    duplicated: metrics.duplicated,
    outOfOrder: metrics.outOfOrder,
    gaps: metrics.gaps,
    protocolErrors: metrics.protocolErrors,
    connectErrors: metrics.connectErrors,
    reconnects: metrics.reconnects,
    connected: metrics.connected,
    everConnected: ever,
    windowStart,
    windowEnd: windowEnd ?? (windowStart ? snapshot() : undefined),
  });
}

port.on('message', (message: ToWorker) => {
  try {
    switch (message.type) {
      case 'window': {
        metrics.windowStartUs = message.windowStartUs;
        metrics.windowEndUs = message.windowEndUs;
        later((message.windowStartUs - nowUs()) / 1000, () => (windowStart = snapshot()));
        later((message.windowEndUs - nowUs()) / 1000, () => (windowEnd = snapshot()));
        if (init.upstream !== undefined) {
          upstream = new UpstreamPublisher(
            clients.map((client) => ({ client, topicIndex: topicIndexOf(init.topology, client.index) })),
            { ...init.upstream, seed: init.seed, publishStartUs: message.publishStartUs, windowStartUs: message.windowStartUs, windowEndUs: message.windowEndUs, phaseStartUs: init.phaseStartUs },
          );
          upstream.start((report) => post({ type: 'published', ...report }));
        }
        break;
      }
      case 'expected': {
        // Only clients that subscribed should have received anything.
        let total = 0;
        for (const client of clients) if (client.everConnected) total += message.acceptedPerTopic[topicIndexOf(init.topology, client.index)] ?? 0;
        expected = total;
        checkDrained();
        break;
      }
      case 'stop':
        stop();
        break;
    }
  } catch (error) {
    post({ type: 'fatal', message: describeError(error) });
  }
});

load.start();
ramp(0);
checkConnected();
later((init.phaseStartUs + 1_000_000 - nowUs()) / 1000, () => tick(0));
