import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rtbError, type RtbError } from '../errors.js';
import type { ServerOptions } from '../server-options.js';
import type { ChildMessage } from '../server/child-entry.js';

const CHILD_ENTRY = fileURLToPath(new URL('../server/child-entry.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * The reference server in its own child process — one per phase, so each phase's memory
 * figures start clean and server CPU is the server's alone. It never outlives the runner:
 * the child exits when its IPC channel closes, and `stop()` ends it by its PID.
 */
export class ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Resolves with an RtbError when the server exits before stop() was asked for. */
  readonly died: Promise<RtbError>;
  readonly #child: ChildProcess;
  readonly #stderrTail: string[];
  #stopping = false;

  private constructor(child: ChildProcess, url: string, stderrTail: string[]) {
    this.#child = child;
    this.url = url;
    this.pid = child.pid!;
    this.#stderrTail = stderrTail;
    this.died = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.#stopping) return;
        const last = this.#stderrTail.at(-1);
        resolve(rtbError('RTB_ERR_SERVER_DIED', `the reference server (pid ${this.pid}) exited during the run (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`));
      });
    });
  }

  static start(options: Partial<ServerOptions>): Promise<ServerProcess> {
    const child = fork(CHILD_ENTRY, [JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    const stderrTail: string[] = [];
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim()) stderrTail.push(line.trim());
      stderrTail.splice(0, Math.max(0, stderrTail.length - 20));
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(rtbError('RTB_ERR_RUN_FAILED', `the reference server did not start within ${READY_TIMEOUT_MS / 1000} s`));
      }, READY_TIMEOUT_MS);
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(new ServerProcess(child, message.url, stderrTail));
        else reject(rtbError(message.code === 'RTB_ERR_PORT_IN_USE' ? 'RTB_ERR_PORT_IN_USE' : 'RTB_ERR_RUN_FAILED', `the reference server could not start: ${message.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(rtbError('RTB_ERR_RUN_FAILED', `the reference server exited while starting (exit code ${code})${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}`));
      });
    });
  }

  /** Asks the server to close, and kills it (by its PID) if it has not exited in 5 s. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
