import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { rtbError } from '../errors.js';
import type { PublishReport } from '../publisher/publish-report.js';
import type { FromWorker, ToWorker, WorkerFinal, WorkerInit, WorkerTick } from '../worker/messages.js';

const WORKER_ENTRY = fileURLToPath(new URL('../worker/client-worker.js', import.meta.url));

/**
 * The client worker threads of one phase, seen from the runner: spreads the clients over
 * them, relays messages, and turns "every worker said X" into promises.
 */
export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #ticks: ((tick: WorkerTick, workerIndex: number) => void)[] = [];
  readonly #connected = new Set<number>();
  readonly #drained = new Set<number>();
  readonly #published = new Map<number, PublishReport>();
  readonly #finals = new Map<number, WorkerFinal>();
  #waiters: (() => void)[] = [];
  #failure: Error | undefined;
  #failed!: Promise<Error>;
  #fail!: (error: Error) => void;

  constructor(inits: WorkerInit[]) {
    this.#failed = new Promise((resolve) => (this.#fail = resolve));
    for (const init of inits) {
      const worker = new Worker(WORKER_ENTRY, { workerData: init });
      const index = init.workerIndex;
      worker.on('message', (message: FromWorker) => this.#receive(index, message));
      worker.on('error', (error) => this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index} failed: ${error.message}`, error)));
      worker.on('exit', (code) => {
        if (!this.#finals.has(index)) this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index} exited early (code ${code})`));
      });
      this.#workers.push(worker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Resolves with the error when a worker fails; never resolves otherwise. */
  get failed(): Promise<Error> {
    return this.#failed;
  }

  onTick(listener: (tick: WorkerTick, workerIndex: number) => void): void {
    this.#ticks.push(listener);
  }

  broadcast(message: ToWorker): void {
    for (const worker of this.#workers) worker.postMessage(message);
  }

  allConnected(): Promise<void> {
    return this.#until(() => this.#connected.size === this.#workers.length);
  }

  allDrained(): Promise<void> {
    return this.#until(() => this.#drained.size === this.#workers.length);
  }

  /** rooms: every worker's upstream report, once all have finished publishing. */
  async allPublished(): Promise<PublishReport[]> {
    await this.#until(() => this.#published.size === this.#workers.length);
    return [...this.#published.values()];
  }

  /** Stops every worker's clients and collects the final reports, then ends the threads. */
  async stop(): Promise<WorkerFinal[]> {
    this.broadcast({ type: 'stop' });
    await Promise.race([this.#until(() => this.#finals.size === this.#workers.length), this.#failed]);
    await this.terminate();
    return [...this.#finals.values()];
  }

  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #receive(index: number, message: FromWorker): void {
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
        this.#failWith(rtbError('RTB_ERR_RUN_FAILED', `client worker ${index}: ${message.message}`));
        return;
    }
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
