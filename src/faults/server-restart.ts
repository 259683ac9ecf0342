import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowUs } from '../clock.js';
import { rtbError } from '../errors.js';
import type { ServerLoadSource, ServerSample } from '../monitors/server-sample.js';
import { ServerProcess } from '../runner/server-process.js';
import type { HandoverMode, HandoverSummary } from '../server/log-handover.js';
import { handoverCredentialFiles } from '../server/tls-credentials.js';
import type { ServerOptions } from '../server-options.js';

/** One restart as it happened, on the runner's clock (µs). */
export interface RestartOutcome {
  /** When the server was asked to stop (or the command started). */
  readonly askedUs: number;
  /** When the old server had exited (the reference server), or the command had (--target). */
  readonly downUs: number;
  /** When the server answered again. */
  readonly upUs: number;
  /** The reference server's handover: what its log held when it stopped. */
  readonly handover?: HandoverSummary;
}

/**
 * Restarts the reference server on its own port (the restart fault, DESIGN §7). The old
 * process closes as on a deploy (streams ended, WebSockets closed with 1001, held long-polls
 * answered), writes its topic logs to a file in a fresh private temporary folder — every
 * event when the log is kept, each topic's head id only when it is lost — and exits; a new
 * process is started on the same port with that file and continues from it, so event ids
 * keep counting up either way (protocol v1: strictly increasing per topic; a resuming
 * client's cursor stays meaningful and a lost log shows up as a gap).
 *
 * A file rather than the IPC channel: the two processes never overlap (one port), and a log
 * of up to maxLogBytes must not be copied through the runner, which is measuring.
 */
export async function restartReferenceServer(current: ServerProcess, options: Partial<ServerOptions>, mode: HandoverMode, askedUs: number, onDown: (askedUs: number) => void): Promise<{ next: ServerProcess; outcome: RestartOutcome }> {
  const dir = await mkdtemp(join(tmpdir(), 'rtbench-restart-'));
  try {
    const file = join(dir, 'logs.jsonl');
    const handover = await current.handOver(mode, file);
    const downUs = nowUs();
    onDown(askedUs);
    // The same ports: clients reconnect where they were (a TLS port too, when the server has one).
    const ports = { port: Number(new URL(current.url).port), ...(current.tlsUrl !== undefined ? { tlsPort: Number(new URL(current.tlsUrl).port) } : {}) };
    // A certificate the old server generated is presented again (it handed it over), so TLS
    // clients that trusted it reconnect; given files are simply read again.
    const generated = handoverCredentialFiles(file);
    const credentials = current.tlsUrl !== undefined && options.certFile === undefined && existsSync(generated.certFile) ? generated : {};
    const next = await ServerProcess.start({ ...options, ...ports, ...credentials }, file);
    return { next, outcome: { askedUs, downUs, upUs: nowUs(), handover } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How long a --target restart command may run, and how long the server then has to answer. */
const COMMAND_TIMEOUT_MS = 120_000;
const BACK_TIMEOUT_MS = 60_000;

/**
 * Runs the user's restart command (through `sh -c`, as typed in the scenario) and waits until
 * the target answers again (`isUp`). A command that fails or times out, or a server that does
 * not come back, fails the phase (exit 4) with the command's last line of output.
 */
export async function runRestartCommand(command: string, isUp: () => Promise<boolean>, onDown: (askedUs: number) => void): Promise<RestartOutcome> {
  const askedUs = nowUs();
  // When the server actually goes away is the command's business: the outage is counted from its start.
  onDown(askedUs);
  const { code, tail } = await new Promise<{ code: number | string; tail: string }>((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: error.message, tail: '' });
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ code: exitCode ?? `signal ${signal}`, tail: output.trim().split('\n').at(-1) ?? '' });
    });
  });
  if (code !== 0) throw rtbError('RTB_ERR_RUN_FAILED', `the restart command "${command}" failed (exit ${code})${tail ? `: ${tail}` : ''}`);
  const downUs = nowUs();
  const deadline = downUs + BACK_TIMEOUT_MS * 1000;
  while (!(await isUp())) {
    if (nowUs() >= deadline) throw rtbError('RTB_ERR_SERVER_DIED', `the target did not answer within ${BACK_TIMEOUT_MS / 1000} s of the restart command "${command}"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { askedUs, downUs, upUs: nowUs() };
}

/**
 * A load source over a server that restarts: cumulative figures (CPU, loop time) start again
 * from zero in the new process, so what the old one had reached at its last reading is
 * carried over — CPU over a window that spans a restart is the two processes' added up, less
 * the old one's last moments (its close and handover) after that reading. Readings are
 * dropped while the server is being replaced, and any that were under way when it began or
 * ended, so none is counted against the other process's base.
 */
export class CarriedSource implements ServerLoadSource {
  readonly #inner: ServerLoadSource;
  #carry = { cpuUs: 0, loopActiveMs: 0, loopIdleMs: 0 };
  #next = this.#carry;
  /** Changes when a restart begins and ends: a reading that spans a change is dropped. */
  #generation = 0;
  #replacing = false;

  constructor(inner: ServerLoadSource) {
    this.#inner = inner;
  }

  get kind(): ServerLoadSource['kind'] {
    return this.#inner.kind;
  }

  async sample(): Promise<ServerSample | undefined> {
    const generation = this.#generation;
    if (this.#replacing) return undefined;
    const s = await this.#inner.sample();
    if (s === undefined || generation !== this.#generation) return undefined;
    return this.#carried(s);
  }

  #carried(s: ServerSample): ServerSample {
    const c = this.#carry;
    return {
      ...s,
      ...(s.cpuUs !== undefined ? { cpuUs: s.cpuUs + c.cpuUs } : {}),
      ...(s.loopActiveMs !== undefined ? { loopActiveMs: s.loopActiveMs + c.loopActiveMs } : {}),
      ...(s.loopIdleMs !== undefined ? { loopIdleMs: s.loopIdleMs + c.loopIdleMs } : {}),
    };
  }

  /** Before the old process stops: its last reading becomes the base the new one will count on from; readings pause. */
  async beginReplace(): Promise<void> {
    this.#generation++;
    this.#replacing = true;
    const s = await this.#inner.sample();
    const last = s !== undefined ? this.#carried(s) : undefined;
    this.#next = last !== undefined ? { cpuUs: last.cpuUs ?? 0, loopActiveMs: last.loopActiveMs ?? 0, loopIdleMs: last.loopIdleMs ?? 0 } : this.#carry;
  }

  /** Once the new process answers: readings resume, on the carried base. */
  endReplace(): void {
    this.#generation++;
    this.#carry = this.#next;
    this.#replacing = false;
  }

  close(): void {
    this.#inner.close();
  }
}
