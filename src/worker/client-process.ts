/**
 * Entry of a client child process (`--processes`, DESIGN §6): hosts a group of client worker
 * threads — the same ClientWorker code as in-process threads — and relays their messages
 * (messages.ts) over the IPC channel, each tagged with the worker's index. The runner's
 * WorkerPool treats this process as that group of workers. Its reason to exist: a process
 * of its own has a descriptor limit of its own.
 */
import type { Worker } from 'node:worker_threads';
import { startClientWorker } from './start-client-worker.js';
import type { FromWorker, ToWorker, WorkerInit } from './messages.js';


/** Runner → this process. */
export type ToProcess = { type: 'init'; inits: WorkerInit[] } | { type: 'worker'; message: ToWorker };
/** This process → runner: one worker's message. */
export interface FromProcess {
  workerIndex: number;
  message: FromWorker;
}

const workers: Worker[] = [];
const send = (reply: FromProcess): void => {
  if (process.connected) process.send!(reply);
};

// Ctrl-C reaches the whole foreground process group: the runner decides how the phase ends
// (it stops these clients and collects their reports), so this process must not die of it.
process.on('SIGINT', () => {});
// The runner ended the channel (done, or gone): end the threads and exit.
process.on('disconnect', () => {
  void Promise.all(workers.map((w) => w.terminate())).finally(() => process.exit(0));
});
process.on('message', (received: ToProcess) => {
  if (received.type === 'init') {
    for (const init of received.inits) {
      const worker = startClientWorker(init);
      const workerIndex = init.workerIndex;
      let finalSent = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'final') finalSent = true;
        send({ workerIndex, message });
      });
      worker.on('error', (error) => send({ workerIndex, message: { type: 'fatal', message: `thread failed: ${error.message}` } }));
      worker.on('exit', (code) => {
        if (!finalSent) send({ workerIndex, message: { type: 'fatal', message: `thread exited early (code ${code})` } });
      });
      workers.push(worker);
    }
    return;
  }
  for (const worker of workers) worker.postMessage(received.message);
});
