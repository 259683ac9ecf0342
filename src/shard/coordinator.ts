import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { epochMs } from '../clock.js';
import { rtbError, type RtbError } from '../errors.js';
import { configDifference } from '../merge/check-shards.js';
import type { RunResult } from '../result/types.js';
import type { SecondRecord } from '../runner/progress.js';
import { COORDINATOR_PROTOCOL, type FromCoordinator, type ToCoordinator } from './coordinator-messages.js';

/** The go message leads each phase's start by this much, so every shard has it in time. */
const GO_LEAD_MS = 1000;
/** A shard that answers no ping for this long has gone (a machine that vanished sends no FIN). */
const PING_MS = 2000;
const MISSED_PINGS = 3;
/** After a failure, how long the other shards get to hand in their partial results. */
const WIND_DOWN_MS = 20_000;

export interface CoordinatorOptions {
  readonly shards: number;
  /** The scenario every shard must run (by name). */
  readonly scenario: string;
  readonly joinTimeoutMs: number;
  readonly host: string;
  readonly port: number;
  /** The live view: every shard's latest second of the current phase, and its latency histogram (encoded). */
  readonly onSecond?: (phase: number, seconds: readonly (SecondRecord | undefined)[], latencies: readonly (string | undefined)[]) => void;
  /** Things worth a line: a shard joined, a phase started, a shard was refused. */
  readonly onNote?: (line: string) => void;
}

export interface CoordinatorOutcome {
  /** Every shard's result, by index, when all were handed in. */
  results?: RunResult[];
  failure?: RtbError;
}

interface Joined {
  readonly socket: WebSocket;
  readonly hello: Extract<ToCoordinator, { type: 'hello' }>;
  alive: boolean;
  /** Pings in a row without a pong. */
  missed?: number;
  result?: RunResult;
  readyFor: number;
}

/**
 * `rtbench coordinate` (DESIGN §6): a barrier for N shards (with a timeout), an absolute start
 * time for each phase, every shard's seconds as they come, and every shard's result at the
 * end. A shard that goes away before handing in its result fails the run (the others are
 * stopped); a shard whose arguments do not match the run's, or that joins after it started,
 * is refused with one line.
 */
export class Coordinator {
  readonly #o: CoordinatorOptions;
  readonly #server: WebSocketServer;
  readonly #shards: (Joined | undefined)[];
  readonly #seconds: (SecondRecord | undefined)[];
  readonly #latencies: (string | undefined)[];
  #phase = 0;
  #started = false;
  #failure: RtbError | undefined;
  #done!: (outcome: CoordinatorOutcome) => void;
  readonly #outcome: Promise<CoordinatorOutcome>;
  #joinTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;

  private constructor(o: CoordinatorOptions, server: WebSocketServer) {
    this.#o = o;
    this.#server = server;
    this.#shards = new Array<Joined | undefined>(o.shards).fill(undefined);
    this.#seconds = new Array<SecondRecord | undefined>(o.shards).fill(undefined);
    this.#latencies = new Array<string | undefined>(o.shards).fill(undefined);
    this.#outcome = new Promise((resolve) => (this.#done = resolve));
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async listen(o: CoordinatorOptions): Promise<Coordinator> {
    const server = new WebSocketServer({ host: o.host, port: o.port, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? rtbError('RTB_ERR_PORT_IN_USE', `--port ${o.port}: already in use on ${o.host}`) : rtbError('RTB_ERR_COORDINATOR', `cannot listen on ${o.host}:${o.port}: ${error.message}`)),
      );
    });
    const coordinator = new Coordinator(o, server);
    coordinator.#joinTimer = setTimeout(() => coordinator.#joinTimedOut(), o.joinTimeoutMs);
    coordinator.#pingTimer = setInterval(() => coordinator.#ping(), PING_MS);
    return coordinator;
  }

  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `ws://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Resolves when every shard handed in its result, or the run failed. */
  outcome(): Promise<CoordinatorOutcome> {
    return this.#outcome;
  }

  async close(): Promise<void> {
    clearTimeout(this.#joinTimer);
    clearInterval(this.#pingTimer);
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    let joined: Joined | undefined;
    socket.on('error', () => {});
    socket.on('pong', () => joined !== undefined && (joined.alive = true));
    socket.on('message', (data) => {
      let message: ToCoordinator;
      try {
        message = JSON.parse(String(data)) as ToCoordinator;
      } catch {
        socket.terminate();
        return;
      }
      if (joined === undefined) {
        if (message.type === 'hello') joined = this.#hello(socket, message);
        else socket.terminate();
        return;
      }
      this.#receive(joined, message);
    });
    socket.on('close', () => {
      if (joined !== undefined && joined.result === undefined) this.#gone(joined);
    });
  }

  #hello(socket: WebSocket, hello: Extract<ToCoordinator, { type: 'hello' }>): Joined | undefined {
    const refuse = (message: string): undefined => {
      this.#o.onNote?.(`refused a shard: ${message}`);
      socket.send(JSON.stringify({ type: 'refused', message } satisfies FromCoordinator), () => socket.close());
      return undefined;
    };
    const o = this.#o;
    if (hello.protocol !== COORDINATOR_PROTOCOL) return refuse(`the coordinator speaks ${COORDINATOR_PROTOCOL}; this shard spoke ${String(hello.protocol)} (rtbench versions differ)`);
    if (hello.count !== o.shards) return refuse(`--shard ${hello.index}/${hello.count}: this run has ${o.shards} shards (rtbench coordinate --shards ${o.shards})`);
    if (hello.scenario !== o.scenario) return refuse(`--shard ${hello.index}/${hello.count}: this shard runs scenario "${hello.scenario}"; the run is "${o.scenario}"`);
    if (this.#started) return refuse(`shard ${hello.index} joined late: the run started without it (the coordinator waits ${o.joinTimeoutMs / 1000} s for every shard)`);
    if (this.#shards[hello.index] !== undefined) return refuse(`--shard ${hello.index}/${hello.count}: shard ${hello.index} has already joined this run`);
    const first = this.#shards.find((s) => s !== undefined);
    if (first !== undefined) {
      if (hello.seed !== first.hello.seed) return refuse(`--shard ${hello.index}/${hello.count}: this shard's seed is ${hello.seed}; shard ${first.hello.index}'s is ${first.hello.seed}`);
      if (hello.runId !== first.hello.runId) return refuse(`--shard ${hello.index}/${hello.count}: this shard's run id is ${hello.runId}; shard ${first.hello.index}'s is ${first.hello.runId}`);
      const difference = configDifference(first.hello.config, hello.config);
      if (difference !== undefined) return refuse(`--shard ${hello.index}/${hello.count}: this shard and shard ${first.hello.index} have ${difference}`);
    }
    const joined: Joined = { socket, hello, alive: true, readyFor: 0 };
    this.#shards[hello.index] = joined;
    socket.send(JSON.stringify({ type: 'welcome' } satisfies FromCoordinator));
    const count = this.#shards.filter((s) => s !== undefined).length;
    o.onNote?.(`shard ${hello.index} joined (${count} of ${o.shards})`);
    if (count === o.shards) clearTimeout(this.#joinTimer);
    this.#maybeGo();
    return joined;
  }

  #receive(shard: Joined, message: ToCoordinator): void {
    switch (message.type) {
      case 'ready':
        shard.readyFor = message.phase;
        this.#maybeGo();
        break;
      case 'second':
        if (message.phase !== this.#phase) break;
        this.#seconds[shard.hello.index] = message.record;
        this.#latencies[shard.hello.index] = message.latency;
        this.#o.onSecond?.(message.phase, this.#seconds, this.#latencies);
        break;
      case 'result':
        shard.result = message.result;
        // A shard that stopped early (its phase failed, it was interrupted): the others stop too.
        if (message.result.status === 'partial' && this.#failure === undefined) this.#fail(rtbError('RTB_ERR_RUN_FAILED', `shard ${shard.hello.index} stopped early: ${message.result.interruption?.message ?? 'its result is partial'}`));
        this.#maybeDone();
        break;
      case 'hello':
        break;
    }
  }

  /** The barrier: when every shard is ready for the next phase, announce its start. */
  #maybeGo(): void {
    if (this.#failure !== undefined) return;
    const next = this.#phase + 1;
    if (!this.#shards.every((s) => s !== undefined && s.readyFor === next)) return;
    this.#started = true;
    this.#phase = next;
    this.#seconds.fill(undefined);
    this.#latencies.fill(undefined);
    const atEpochMs = epochMs() + GO_LEAD_MS;
    for (const shard of this.#shards) shard!.socket.send(JSON.stringify({ type: 'go', phase: next, atEpochMs } satisfies FromCoordinator));
    this.#o.onNote?.(`phase ${next}: every shard ready; starting at ${new Date(atEpochMs).toISOString()}`);
  }

  #gone(shard: Joined): void {
    const during = this.#started ? ` during phase ${this.#phase}` : ' before the run started';
    this.#fail(rtbError('RTB_ERR_COORDINATOR', `shard ${shard.hello.index} disappeared${during} without handing in its result; the run failed`));
    this.#maybeDone();
  }

  #joinTimedOut(): void {
    const missing = this.#shards.map((s, i) => (s === undefined ? i : -1)).filter((i) => i >= 0);
    if (missing.length === 0) return;
    this.#fail(rtbError('RTB_ERR_COORDINATOR', `only ${this.#o.shards - missing.length} of ${this.#o.shards} shards joined within ${this.#o.joinTimeoutMs / 1000} s (missing: shard ${missing.join(', ')})`));
    this.#maybeDone();
  }

  /** Liveness: a shard that missed several pings in a row is gone. */
  #ping(): void {
    for (const shard of this.#shards) {
      if (shard === undefined || shard.result !== undefined) continue;
      if (!shard.alive) {
        shard.missed = (shard.missed ?? 0) + 1;
        if (shard.missed >= MISSED_PINGS) {
          shard.socket.terminate();
          continue;
        }
      } else {
        shard.missed = 0;
      }
      shard.alive = false;
      shard.socket.ping();
    }
  }

  /** The run failed: tell every shard still running to stop, and give them a moment to hand in what they measured. */
  #fail(error: RtbError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const shard of this.#shards) {
      if (shard !== undefined && shard.result === undefined) shard.socket.send(JSON.stringify({ type: 'abort', message: error.message } satisfies FromCoordinator));
    }
    setTimeout(() => this.#done({ failure: error }), WIND_DOWN_MS).unref();
  }

  #maybeDone(): void {
    const running = this.#shards.filter((s) => s !== undefined && s.result === undefined && s.socket.readyState === s.socket.OPEN);
    if (this.#failure !== undefined) {
      if (running.length === 0) this.#done({ failure: this.#failure, ...this.#allResults() });
      return;
    }
    const all = this.#allResults();
    if (all.results !== undefined) this.#done(all);
  }

  #allResults(): { results?: RunResult[] } {
    return this.#shards.every((s) => s?.result !== undefined) ? { results: this.#shards.map((s) => s!.result!) } : {};
  }
}
