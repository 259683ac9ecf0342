import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rtbError, type RtbError } from '../errors.js';
import type { ServerOptions } from '../server-options.js';
import type { ChildMessage, ParentMessage } from '../server/child-entry.js';
import type { HandoverMode, HandoverSummary } from '../server/log-handover.js';

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
  /** `https://…` of the TLS port, when started with options.tlsPort, and its certificate (PEM) for the clients to trust. */
  tlsUrl?: string;
  tlsCert?: string;
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

  /** Starts a server; with `handoverFile`, one that continues the logs a stopped one handed over. */
  static start(options: Partial<ServerOptions>, handoverFile?: string): Promise<ServerProcess> {
    const child = fork(CHILD_ENTRY, [JSON.stringify(options), ...(handoverFile !== undefined ? [handoverFile] : [])], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
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
        if (message.type === 'ready') {
          const server = new ServerProcess(child, message.url, stderrTail);
          if (message.tlsUrl !== undefined) {
            server.tlsUrl = message.tlsUrl;
            server.tlsCert = message.tlsCert;
          }
          resolve(server);
        }
        else if (message.type === 'error') reject(rtbError(message.code === 'RTB_ERR_PORT_IN_USE' ? 'RTB_ERR_PORT_IN_USE' : 'RTB_ERR_RUN_FAILED', `the reference server could not start: ${message.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        // An uncaught exception ends with Node's version line: the error's own line says more.
        const telling = stderrTail.find((line) => /^\w*Error\b|^Error:/.test(line)) ?? stderrTail.at(-1);
        reject(rtbError('RTB_ERR_RUN_FAILED', `the reference server exited while starting (exit code ${code})${telling !== undefined ? `: ${telling}` : ''}`));
      });
    });
  }

  /**
   * The first half of a restart: the server closes as on stop(), writes its topic logs to
   * `file` (all of them, or only each topic's head when the log is to be lost) and exits.
   * Resolves with what it wrote once it has exited, so its port is free; rejects when it
   * exits without handing over (it is then killed by its PID after 5 s, as on stop()).
   */
  async handOver(mode: HandoverMode, file: string): Promise<HandoverSummary> {
    if (this.#stopping) throw rtbError('RTB_ERR_RUN_FAILED', 'the reference server is already stopping');
    this.#stopping = true;
    const child = this.#child;
    let summary: HandoverSummary | undefined;
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'handed-over') summary = message.summary;
    };
    child.on('message', onMessage);
    // Both the exit and the end of the IPC channel: its last message may be read after the exit is seen.
    const exited = Promise.all([
      new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()))),
      new Promise<void>((resolve) => (child.connected ? child.once('disconnect', () => resolve()) : resolve())),
    ]);
    if (child.exitCode === null && child.signalCode === null && child.connected) child.send({ type: 'hand-over', mode, file } satisfies ParentMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    child.off('message', onMessage);
    if (summary === undefined) {
      const last = this.#stderrTail.at(-1);
      throw rtbError('RTB_ERR_SERVER_DIED', `the reference server (pid ${this.pid}) exited without handing its logs over for the restart${last ? `: ${last}` : ''}`);
    }
    return summary;
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
