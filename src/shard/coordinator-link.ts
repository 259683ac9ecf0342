import WebSocket from 'ws';
import { epochMs, sleep } from '../clock.js';
import { describeError, rtbError, type RtbError } from '../errors.js';
import type { RunResult } from '../result/types.js';
import type { SecondRecord } from '../runner/progress.js';
import { COORDINATOR_PROTOCOL, type FromCoordinator, type ToCoordinator } from './coordinator-messages.js';

const RETRY_MS = 500;
const HELLO_ANSWER_MS = 10_000;

type Hello = Omit<Extract<ToCoordinator, { type: 'hello' }>, 'type' | 'protocol'>;

/**
 * A shard's side of the coordinator (`run --shard i/N --coordinator URL`): joins, waits at
 * each phase's barrier for the announced start time, streams its seconds, hands in its
 * result. A coordinator that refuses the shard, cannot be reached or goes away is one
 * RTB_ERR_COORDINATOR (or RTB_ERR_USAGE for arguments that do not match the run's) line.
 */
export class CoordinatorLink {
  readonly #socket: WebSocket;
  #goes = new Map<number, number>();
  #waiters = new Map<number, { resolve: () => void; reject: (error: RtbError) => void }>();
  #ended: RtbError | undefined;
  #finishing = false;
  /** Called when the coordinator aborts the run or goes away mid-run (not after the result was handed in). */
  onLost: (error: RtbError) => void = () => {};

  private constructor(socket: WebSocket, url: string) {
    this.#socket = socket;
    socket.on('message', (data) => this.#receive(JSON.parse(String(data)) as FromCoordinator));
    socket.on('close', () => this.#lose(rtbError('RTB_ERR_COORDINATOR', `the coordinator at ${url} went away; this shard stopped`)));
    socket.on('error', () => {}); // 'close' follows and says it
  }

  /** `patienceMs`: how long to keep trying to reach the coordinator (it may start after the shards). */
  static async join(url: string, hello: Hello, patienceMs: number): Promise<CoordinatorLink> {
    const socket = await connectPatiently(url, patienceMs);
    const link = new CoordinatorLink(socket, url);
    const answer = await new Promise<FromCoordinator | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), HELLO_ANSWER_MS);
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(JSON.parse(String(data)) as FromCoordinator);
      });
      socket.once('close', () => resolve(undefined));
      link.#send({ type: 'hello', protocol: COORDINATOR_PROTOCOL, ...hello });
    });
    if (answer?.type === 'welcome') return link;
    socket.terminate();
    if (answer?.type === 'refused') throw rtbError(answer.message.startsWith('--') ? 'RTB_ERR_USAGE' : 'RTB_ERR_COORDINATOR', answer.message);
    throw rtbError('RTB_ERR_COORDINATOR', `the coordinator at ${url} did not answer this shard's hello within ${HELLO_ANSWER_MS / 1000} s`);
  }

  /** Before phase `number`: ready, then wait for the coordinator's go and its start time. */
  async beforePhase(number: number): Promise<void> {
    if (this.#ended) throw this.#ended;
    this.#send({ type: 'ready', phase: number });
    const atEpochMs = this.#goes.get(number) ?? (await new Promise<number>((resolve, reject) => {
      this.#waiters.set(number, { resolve: () => resolve(this.#goes.get(number)!), reject });
    }));
    await sleep(atEpochMs - epochMs());
  }

  second(phase: number, record: SecondRecord, latency: string): void {
    this.#send({ type: 'second', phase, record, latency });
  }

  /** Hands in the result and closes; resolves once it was sent. */
  async finish(result: RunResult): Promise<void> {
    this.#finishing = true;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    await new Promise<void>((resolve) => this.#socket.send(JSON.stringify({ type: 'result', result } satisfies ToCoordinator), () => resolve()));
    this.#socket.close();
  }

  #send(message: ToCoordinator): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #receive(message: FromCoordinator): void {
    if (message.type === 'go') {
      this.#goes.set(message.phase, message.atEpochMs);
      this.#waiters.get(message.phase)?.resolve();
      this.#waiters.delete(message.phase);
    } else if (message.type === 'abort') {
      this.#lose(rtbError('RTB_ERR_COORDINATOR', `the coordinator stopped the run: ${message.message}`));
    }
  }

  #lose(error: RtbError): void {
    if (this.#ended !== undefined || this.#finishing) return;
    this.#ended = error;
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    this.onLost(error);
  }
}

/** Opens the WebSocket, retrying refused connections for a while (the coordinator may not be up yet). */
async function connectPatiently(url: string, patienceMs: number): Promise<WebSocket> {
  const deadline = epochMs() + patienceMs;
  let last = '';
  for (;;) {
    try {
      return await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(url, { handshakeTimeout: 5000 });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      last = describeError(error);
      if (epochMs() + RETRY_MS > deadline) break;
      await sleep(RETRY_MS);
    }
  }
  throw rtbError('RTB_ERR_COORDINATOR', `--coordinator ${url}: cannot be reached within ${patienceMs / 1000} s (${last})`);
}
