import { fork, type ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { rtbError } from '../errors.js';
import type { PublishReport } from '../publisher/publish-report.js';
import type { FromProcess, ToProcess } from '../worker/client-process.js';
import type { FromWorker, ToWorker, WorkerFinal, WorkerInit, WorkerTick } from '../worker/messages.js';
import { startClientWorker } from '../worker/start-client-worker.js';

const PROCESS_ENTRY = fileURLToPath(new URL('../worker/client-process.js', import.meta.url));

/** After a worker failed, the others get this long to send their final reports. */
const FINALS_AFTER_FAILURE_MS = 2000;
/** A stop waits at most this long for every final report (the phase's own bound is 10 s). */
const FINALS_MS = 8000;
/** A client process that has not exited this long after its channel closed is killed (by its PID, which rtbench started). */
const PROCESS_EXIT_MS = 3000;

/**
 * The client workers of one phase, seen from the runner: spreads the clients over them,
 * relays messages, and turns "every worker said X" into promises. The workers are threads
 * of this process, or — with `processes` > 1 — threads of that many child processes
 * (client-process.ts), each hosting a contiguous group of them; the messages are the same.
 */
export class WorkerPool {
  readonly #threads: Worker[] = [];
  readonly #processes: ChildProcess[] = [];
  readonly #workerCount: number;
  readonly #ticks: ((tick: WorkerTick, workerIndex: number) => void)[] = [];
  readonly #connected = new Set<number>();
  readonly #drained = new Set<number>();
  readonly #published = new Map<number, PublishReport>();
  readonly #finals = new Map<number, WorkerFinal>();
  /** Workers whose thread or process has exited. */
  readonly #gone = new Set<number>();
  #waiters: (() => void)[] = [];
  #failure: Error | undefined;
  #failed!: Promise<Error>;
  #fail!: (error: Error) => void;

  constructor(inits: WorkerInit[], processes = 1) {
    this.#failed = new Promise((resolve) => (this.#fail = resolve));
    this.#workerCount = inits.length;
    if (processes > 1) {
      const groups = groupInits(inits, processes);
      for (const [p, group] of groups.entries()) this.#startProcess(p, group);
      return;
    }
    for (const init of inits) {
      const worker = startClientWorker(init);
      const index = init.workerIndex;
      worker.on('message', (message: FromWorker) => this.#receive(index, message));
      worker.on('error', (error) => this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index} failed: ${error.message}`, error)));
      worker.on('exit', (code) => {
        this.#gone.add(index);
        if (!this.#finals.has(index)) this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index} exited early (code ${code})`));
        this.#wakeAll();
      });
      this.#threads.push(worker);
    }
  }

  #startProcess(p: number, group: WorkerInit[]): void {
    // 'advanced': the structured clone postMessage uses, so the messages cross unchanged.
    const child = fork(PROCESS_ENTRY, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const indexes = group.map((init) => init.workerIndex);
    child.on('message', (received: FromProcess) => this.#receive(received.workerIndex, received.message, p));
    child.on('error', (error) => this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client process ${p} (pid ${child.pid}) failed: ${error.message}`, error)));
    child.on('exit', (code, signal) => {
      for (const index of indexes) this.#gone.add(index);
      if (indexes.some((index) => !this.#finals.has(index))) {
        this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client process ${p} (pid ${child.pid}) exited during the run (${signal !== null ? `signal ${signal}` : `code ${code}`})`));
      }
      this.#wakeAll();
    });
    child.send({ type: 'init', inits: group } satisfies ToProcess);
    this.#processes.push(child);
  }

  get size(): number {
    return this.#workerCount;
  }

  /** PIDs of the client processes (none when the workers are threads of this process). */
  get pids(): number[] {
    return this.#processes.map((c) => c.pid!).filter((pid) => pid !== undefined);
  }

  /** Resolves with the error when a worker fails; never resolves otherwise. */
  get failed(): Promise<Error> {
    return this.#failed;
  }

  onTick(listener: (tick: WorkerTick, workerIndex: number) => void): void {
    this.#ticks.push(listener);
  }

  broadcast(message: ToWorker): void {
    for (const worker of this.#threads) worker.postMessage(message);
    for (const child of this.#processes) if (child.connected) child.send({ type: 'worker', message } satisfies ToProcess);
  }

  allConnected(): Promise<void> {
    return this.#until(() => this.#connected.size === this.#workerCount);
  }

  allDrained(): Promise<void> {
    return this.#until(() => this.#drained.size === this.#workerCount);
  }

  /** rooms: every worker's upstream report, once all have finished publishing. */
  async allPublished(): Promise<PublishReport[]> {
    await this.#until(() => this.#published.size === this.#workerCount);
    return [...this.#published.values()];
  }

  /**
   * Stops every worker's clients and collects the final reports of those still running (a
   * worker that died has none), then ends the threads and processes.
   */
  async stop(): Promise<WorkerFinal[]> {
    this.broadcast({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const accounted = this.#until(() => this.#accounted() === this.#workerCount);
    const afterFailure = this.#failed.then(() => new Promise<void>((resolve) => (timer = setTimeout(resolve, FINALS_AFTER_FAILURE_MS))));
    const bound = new Promise<void>((resolve) => setTimeout(resolve, FINALS_MS).unref());
    await Promise.race([accounted, afterFailure, bound]);
    clearTimeout(timer);
    await this.terminate();
    return [...this.#finals.values()];
  }

  async terminate(): Promise<void> {
    await Promise.all([...this.#threads.map((w) => w.terminate()), ...this.#processes.map(endProcess)]);
  }

  #accounted(): number {
    let n = 0;
    for (let i = 0; i < this.#workerCount; i++) if (this.#finals.has(i) || this.#gone.has(i)) n++;
    return n;
  }

  #receive(index: number, message: FromWorker, processIndex?: number): void {
    switch (message.type) {
      case 'tick':
        for (const listener of this.#ticks) listener(message, index);
        return;
      case 'connected':
        this.#connected.add(index);
        break;
      case 'drained':
        this.#drained.add(index);
        break;
      case 'published': {
        const { type: _type, ...report } = message;
        this.#published.set(index, report);
        break;
      }
      case 'final':
        this.#finals.set(index, message);
        break;
      case 'fatal':
        this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index}${processIndex !== undefined ? ` (process ${processIndex})` : ''}: ${message.message}`));
        return;
    }
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #failWith(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#fail(error);
  }

  #until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }
}

/** `processes` contiguous groups of workers, as even as the worker count allows (none empty). */
export function groupInits(inits: WorkerInit[], processes: number): WorkerInit[][] {
  const groups: WorkerInit[][] = [];
  const count = Math.min(processes, inits.length);
  let next = 0;
  for (let p = 0; p < count; p++) {
    const size = Math.floor(inits.length / count) + (p < inits.length % count ? 1 : 0);
    groups.push(inits.slice(next, next + size));
    next += size;
  }
  return groups;
}

/** Closes a client process's channel (it then ends its threads and exits); kills it if it lingers. */
async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), PROCESS_EXIT_MS)));
  if (await Promise.race([exited.then(() => false), late])) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
