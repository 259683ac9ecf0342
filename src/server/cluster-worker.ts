/**
 * Entry of one worker of a multi-process reference server, forked by cluster-primary.ts
 * (node:cluster). It waits for `{type:'start'}` (options and the primary's TLS credentials),
 * serves on the port the workers share, numbers nothing itself (SequencerClient) and
 * answers the primary's snapshot requests. It stops on `{type:'stop'}` (and on
 * `{type:'hand-over'}`, then writes its logs for the next server); when the primary goes
 * away (its IPC channel closes) node:cluster ends it at once, so no worker outlives its primary.
 */
import cluster from 'node:cluster';
import { describeError, isRtbError } from '../errors.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { PrimaryToWorker, WorkerToPrimary } from './cluster-messages.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';
import { SequencerClient } from './sequencer-client.js';
import type { HandoverMode } from './log-handover.js';

const send = (message: WorkerToPrimary): void => {
  if (process.connected) process.send!(message);
};
const sequencer = new SequencerClient(cluster.worker!.id, send);
const metricsAnswers = new Map<number, (metrics: ServerMetrics) => void>();
let nextMetricsRequest = 1;
let server: ReferenceServer | undefined;
let stopping = false;

/** `/metrics` on this worker: every process's figures, combined by the primary. */
function clusterMetrics(): Promise<ServerMetrics> {
  return new Promise((resolve) => {
    const request = nextMetricsRequest++;
    metricsAnswers.set(request, resolve);
    send({ type: 'metrics', request });
  });
}

async function start(message: Extract<PrimaryToWorker, { type: 'start' }>): Promise<void> {
  try {
    server = await startReferenceServer(message.options, {
      sequencer,
      clusterMetrics,
      ...(message.credentials !== undefined ? { credentials: message.credentials } : {}),
      ...(message.handoverFile !== undefined ? { handoverFile: message.handoverFile } : {}),
    });
  } catch (error) {
    const failure: WorkerToPrimary = isRtbError(error) ? { type: 'error', code: error.code, message: error.message } : { type: 'error', code: 'RTB_ERR_RUN_FAILED', message: describeError(error) };
    process.send!(failure, () => process.exit(3));
    return;
  }
  send({ type: 'listening', url: server.url, port: server.port, ...(server.tlsPort !== undefined ? { tlsPort: server.tlsPort, tlsUrl: server.tlsUrl } : {}) });
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  if (server === undefined) process.exit(0);
  void server.close().finally(() => process.exit(0));
}

/** Stops as stop() does, then writes the logs this worker holds (the same as every worker's) for the next server. */
function handOver(mode: HandoverMode, file: string): void {
  if (stopping || server === undefined) return;
  stopping = true;
  const running = server;
  running
    .close()
    .then(() => {
      const message: WorkerToPrimary = { type: 'handed-over', summary: running.handOver(mode, file) };
      // Exit only once the message is out: process.exit would drop a send still queued.
      return new Promise<void>((resolve) => (process.connected ? process.send!(message, () => resolve()) : resolve()));
    })
    .catch((error: unknown) => process.stderr.write(`rtbench server: the log handover failed: ${describeError(error)}\n`))
    .finally(() => process.exit(0));
}

process.on('message', (message: PrimaryToWorker) => {
  switch (message.type) {
    case 'events':
      sequencer.receive(message.batch);
      break;
    case 'start':
      void start(message);
      break;
    case 'snapshot':
      if (server !== undefined) send({ type: 'snapshot', request: message.request, metrics: server.metrics() });
      break;
    case 'metrics': {
      const answer = metricsAnswers.get(message.request);
      metricsAnswers.delete(message.request);
      answer?.(message.metrics);
      break;
    }
    case 'stop':
      stop();
      break;
    case 'hand-over':
      handOver(message.mode, message.file);
      break;
  }
});
// Ctrl-C in a terminal signals the whole process group: the primary stops the workers, in order.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', stop);
send({ type: 'hello' });
