import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { nowUs } from '../clock.js';
import { isErrorCode, rtbError } from '../errors.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';
import type { ServerMetrics } from '../protocol/server-metrics.js';
import { resolveServerOptions, type ServerOptions } from '../server-options.js';
import type { PrimaryToWorker, WorkerToPrimary } from './cluster-messages.js';
import { combineMetrics } from './cluster-metrics.js';
import { EventSequencer } from './sequencer.js';
import { loadTlsCredentials } from './tls-credentials.js';
import type { ServerAddress } from './reference-server.js';
import { readHandoverHeads, type HandoverMode, type HandoverSummary } from './log-handover.js';

const WORKER_ENTRY = fileURLToPath(new URL('./cluster-worker.js', import.meta.url));
const STOP_TIMEOUT_MS = 5_000;
/** A worker that has not sent its snapshot by then is left out of that `/metrics` answer. */
const SNAPSHOT_TIMEOUT_MS = 2_000;

/** A reference server run as a node:cluster primary and its workers (options.processes > 1). */
export interface ClusterServer extends ServerAddress {
  /** The workers' PIDs (the primary is this process). */
  readonly workerPids: readonly number[];
  /** Resolves with one line when a worker exits before close() was asked for. */
  readonly died: Promise<string>;
  /** Stops every worker (each closes as a one-process server does) and resolves once all have exited. */
  close(): Promise<void>;
  /**
   * The restart fault: numbers no more events, stops every worker, and has one of them write
   * the logs to `file` (every worker holds the same logs) before it exits. Resolves with what
   * it wrote once every worker has exited; rejects when none handed over.
   */
  closeAndHandOver(mode: HandoverMode, file: string): Promise<HandoverSummary>;
}

/**
 * Starts `options.processes` workers (cluster-worker.ts) that all listen on the same port(s) —
 * node:cluster's primary accepts each connection and hands it to the next worker in turn
 * (round-robin; Node 20 has no SO_REUSEPORT), and a port 0 becomes one random port every
 * worker shares — and numbers every topic's events here (EventSequencer), so all workers log
 * and deliver the same events with the same ids. TLS credentials are read or generated once,
 * here, so every worker presents the same certificate. Resolves once every worker listens;
 * rejects (every worker killed) when one cannot.
 */
export async function startServerCluster(partial: Partial<ServerOptions>, start: { handoverFile?: string } = {}): Promise<ClusterServer> {
  const options = resolveServerOptions(partial);
  const count = options.processes ?? 1;
  const credentials = options.tlsPort !== undefined ? await loadTlsCredentials(options) : undefined;
  // A restart: the sequencer continues each topic's ids; every worker loads the logs themselves.
  const heads = start.handoverFile !== undefined ? await readHandoverHeads(start.handoverFile) : new Map<string, number>();
  const load = new ProcessLoadSampler();
  load.start();
  const startedAtUs = nowUs();

  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], serialization: 'json' });
  const workers: Worker[] = [];
  // Only to workers that said hello: one still loading would drop the message unheard. Events
  // for one that has not are kept until it does, so every worker logs every id.
  const greeted = new Set<Worker>();
  const backlog = new Map<Worker, PrimaryToWorker[]>();
  const sendTo = (worker: Worker, message: PrimaryToWorker): void => {
    if (greeted.has(worker)) {
      if (worker.isConnected()) worker.send(message);
    } else if (message.type === 'events') {
      const waiting = backlog.get(worker) ?? [];
      waiting.push(message);
      backlog.set(worker, waiting);
    }
  };
  const sequencer = new EventSequencer((batch) => {
    const message: PrimaryToWorker = { type: 'events', batch };
    for (const worker of workers) sendTo(worker, message);
  }, heads);
  const metrics = new MetricsGather(workers, sendTo, () => ({ pid: process.pid, uptimeMs: Math.floor((nowUs() - startedAtUs) / 1000), load: load.sample() }));

  let closing = false;
  let reportDied!: (line: string) => void;
  const died = new Promise<string>((resolve) => (reportDied = resolve));
  let listening: Extract<WorkerToPrimary, { type: 'listening' }> | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    let started = 0;
    const fail = (error: Error): void => {
      closing = true;
      for (const worker of workers) worker.process.kill('SIGKILL');
      reject(error);
    };
    for (let i = 0; i < count; i++) {
      const worker = cluster.fork();
      workers.push(worker);
      worker.on('message', (message: WorkerToPrimary) => {
        switch (message.type) {
          case 'hello':
            greeted.add(worker);
            sendTo(worker, {
              type: 'start',
              options: { ...partial, processes: 1 },
              ...(credentials !== undefined ? { credentials } : {}),
              ...(start.handoverFile !== undefined ? { handoverFile: start.handoverFile } : {}),
            });
            for (const early of backlog.get(worker) ?? []) sendTo(worker, early);
            backlog.delete(worker);
            break;
          case 'submit':
            sequencer.accept(worker.id, message.batch);
            break;
          case 'metrics':
            metrics.ask(worker, message.request);
            break;
          case 'snapshot':
            metrics.answer(worker, message.request, message.metrics);
            break;
          case 'listening':
            if (listening !== undefined && (message.port !== listening.port || message.tlsPort !== listening.tlsPort)) {
              fail(rtbError('RTB_ERR_RUN_FAILED', `the server's workers listen on different ports (${listening.port}, ${message.port})`));
              return;
            }
            listening ??= message;
            if (++started === count) resolve();
            break;
          case 'error':
            fail(rtbError(isErrorCode(message.code) ? message.code : 'RTB_ERR_RUN_FAILED', message.message));
            break;
        }
      });
      worker.once('exit', (code, signal) => {
        if (closing) return;
        const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
        if (started < count) fail(rtbError('RTB_ERR_RUN_FAILED', `a server worker (pid ${worker.process.pid}) exited while starting (${how})`));
        else reportDied(`a server worker (pid ${worker.process.pid}) exited (${how})`);
      });
    }
  });
  try {
    await ready;
  } catch (error) {
    load.stop();
    await Promise.all(workers.map(exited));
    throw error;
  }
  const first = listening!;
  let closed: Promise<void> | undefined;
  /** Stops the workers — `first` with `firstMessage` instead of `stop` — and resolves once all have exited and disconnected. */
  const stopAll = (firstMessage: PrimaryToWorker): Promise<void> =>
    (closed ??= (async () => {
      closing = true;
      sequencer.seal();
      sequencer.cancel();
      metrics.cancel();
      workers.forEach((worker, i) => sendTo(worker, i === 0 ? firstMessage : { type: 'stop' }));
      // A worker still closing after that (a client that never reads) is killed by its PID.
      const timer = setTimeout(() => {
        for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      // Both the exit and the end of the IPC channel: a last message may be read after the exit is seen.
      await Promise.all([...workers.map(exited), ...workers.map(disconnected)]);
      clearTimeout(timer);
      load.stop();
    })());
  return {
    url: first.url,
    host: options.host,
    port: first.port,
    ...(first.tlsPort !== undefined ? { tlsUrl: first.tlsUrl, tlsPort: first.tlsPort, tlsCert: credentials!.cert } : {}),
    workerPids: workers.map((worker) => worker.process.pid!),
    died,
    close: () => stopAll({ type: 'stop' }),
    closeAndHandOver: async (mode, file) => {
      if (closed !== undefined) throw new Error('the server is already stopping');
      let summary: HandoverSummary | undefined;
      workers[0]!.on('message', (message: WorkerToPrimary) => {
        if (message.type === 'handed-over') summary = message.summary;
      });
      await stopAll({ type: 'hand-over', mode, file });
      if (summary === undefined) throw new Error(`the server worker (pid ${workers[0]!.process.pid}) exited without handing its logs over`);
      return summary;
    },
  };
}

function exited(worker: Worker): Promise<void> {
  return worker.process.exitCode !== null || worker.process.signalCode !== null ? Promise.resolve() : new Promise((resolve) => worker.process.once('exit', () => resolve()));
}

function disconnected(worker: Worker): Promise<void> {
  return worker.process.connected ? new Promise((resolve) => worker.process.once('disconnect', () => resolve())) : Promise.resolve();
}

/** `/metrics` of a multi-process server: one worker asks, every worker sends its snapshot, the primary adds its own load and answers. */
class MetricsGather {
  readonly #workers: readonly Worker[];
  readonly #send: (worker: Worker, message: PrimaryToWorker) => void;
  readonly #primary: () => Parameters<typeof combineMetrics>[0];
  readonly #pending = new Map<number, { asker: Worker; request: number; snapshots: Map<number, ServerMetrics>; timer: NodeJS.Timeout }>();
  #next = 1;

  constructor(workers: readonly Worker[], send: (worker: Worker, message: PrimaryToWorker) => void, primary: () => Parameters<typeof combineMetrics>[0]) {
    this.#workers = workers;
    this.#send = send;
    this.#primary = primary;
  }

  ask(asker: Worker, request: number): void {
    const id = this.#next++;
    const timer = setTimeout(() => this.#finish(id), SNAPSHOT_TIMEOUT_MS);
    timer.unref();
    this.#pending.set(id, { asker, request, snapshots: new Map(), timer });
    for (const worker of this.#workers) this.#send(worker, { type: 'snapshot', request: id });
  }

  answer(worker: Worker, id: number, metrics: ServerMetrics): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    pending.snapshots.set(worker.id, metrics);
    if (pending.snapshots.size === this.#workers.filter((w) => w.isConnected()).length) this.#finish(id);
  }

  cancel(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #finish(id: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    // In worker order, so perProcess lists them the same way every time.
    const snapshots = this.#workers.map((w) => pending.snapshots.get(w.id)).filter((m): m is ServerMetrics => m !== undefined);
    if (snapshots.length === 0) return;
    this.#send(pending.asker, { type: 'metrics', request: pending.request, metrics: combineMetrics(this.#primary(), snapshots) });
  }
}
