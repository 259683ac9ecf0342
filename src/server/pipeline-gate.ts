import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Most requests of one connection handled and not yet answered (written out) at a time.
 * Pipelining clients (autocannon -p) use a few; held long-polls count here too.
 */
export const MAX_IN_FLIGHT_REQUESTS = 16;

/**
 * Bounds what one connection's pipelined requests can make the server hold (DESIGN §2: "every
 * buffer is bounded in bytes … pipelined requests").
 *
 * Node parses every request of a read (up to 64 KiB: hundreds of small requests) before it
 * looks at what the connection has queued, and a response to a pipelined request is held in
 * memory until the responses before it are written. A client that pipelines a few hundred
 * `/poll`s and never reads made the server build all their answers at once.
 *
 * The gate hands a request to the handler only while the connection has fewer than
 * MAX_IN_FLIGHT_REQUESTS unanswered and their unsent bytes are within `maxQueuedBytes`
 * (always when it has none); a stream request only when nothing is ahead of it, and nothing
 * behind a stream. Other requests wait, cheaply (no answer built), until earlier answers are
 * written — which, for a client that does not read, is never; and Node stops reading such a
 * connection once its queued answers pass its high-water mark. More than `maxWaiting`
 * waiting requests close the connection (`onOverflow` counts it).
 *
 * A connection Node stopped reading does not see its client leave until a write to it fails
 * or its request ahead ends; the answers it holds meanwhile stay within the bounds above.
 */
export function createPipelineGate(
  handler: RequestHandler,
  limits: { maxQueuedBytes: number; maxWaiting: number },
  isStream: (req: IncomingMessage) => boolean,
  onOverflow: () => void,
): RequestHandler {
  const gate: GateConfig = { handler, maxQueuedBytes: limits.maxQueuedBytes, maxWaiting: limits.maxWaiting, isStream, onOverflow };
  return (req, res) => {
    const socket = req.socket as GatedSocket;
    let connection = socket[kConnection];
    if (connection === undefined) {
      connection = new GatedConnection(gate, socket);
      socket[kConnection] = connection;
      socket.once('close', onSocketClose);
    }
    connection.arrived(req, res);
  };
}

interface GateConfig {
  readonly handler: RequestHandler;
  readonly maxQueuedBytes: number;
  readonly maxWaiting: number;
  /** A request for a stream (SSE) is handled only when nothing is ahead of it (see markEndless). */
  readonly isStream: (req: IncomingMessage) => boolean;
  readonly onOverflow: () => void;
}

/** One connection's unanswered and waiting requests. */
class GatedConnection {
  readonly #gate: GateConfig;
  readonly #socket: Socket;
  /** Handed to the handler, not yet written out ('finish') or abandoned ('close'). */
  readonly #inFlight: ServerResponse[] = [];
  /** Waiting to be handed over, in arrival order from #next on: request, response, request, response, … */
  #waiting: (IncomingMessage | ServerResponse)[] = [];
  #next = 0;
  #closed = false;

  constructor(gate: GateConfig, socket: Socket) {
    this.#gate = gate;
    this.#socket = socket;
  }

  arrived(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) return;
    if (this.#next === this.#waiting.length && this.#mayDispatch(req)) {
      this.#dispatch(req, res);
      return;
    }
    this.#waiting.push(req, res);
    if ((this.#waiting.length - this.#next) / 2 > this.#gate.maxWaiting) {
      this.#gate.onOverflow();
      this.closed();
      this.#socket.destroy();
    }
  }

  /** A response was written out or abandoned: hand over what waits, as far as the bounds allow. */
  answered(res: ServerResponse): void {
    const i = this.#inFlight.indexOf(res);
    if (i < 0) return; // 'finish' then 'close': counted once
    this.#inFlight.splice(i, 1);
    while (!this.#closed && this.#next < this.#waiting.length && this.#mayDispatch(this.#waiting[this.#next] as IncomingMessage)) {
      const req = this.#waiting[this.#next] as IncomingMessage;
      const next = this.#waiting[this.#next + 1] as ServerResponse;
      this.#next += 2;
      if (this.#next === this.#waiting.length) {
        this.#waiting = [];
        this.#next = 0;
      }
      this.#dispatch(req, next);
    }
  }

  /**
   * The connection is gone. Node closes only the response it was writing; responses queued
   * behind it never hear of it, and whoever waits on them (a held long-poll) would wait for
   * its timeout. They get the 'close' Node would have sent.
   */
  closed(): void {
    this.#closed = true;
    this.#waiting = [];
    this.#next = 0;
    const inFlight = this.#inFlight.splice(0);
    for (const res of inFlight) if (res.socket === null && !res.writableFinished) res.emit('close');
  }

  #mayDispatch(req: IncomingMessage): boolean {
    const inFlight = this.#inFlight;
    if (inFlight.length === 0) return true;
    // A stream behind another answer would write into memory until that answer is done.
    if (inFlight.length >= MAX_IN_FLIGHT_REQUESTS || this.#gate.isStream(req)) return false;
    // A response's writableLength is what it holds unsent (plus the socket's, for the one
    // being written): an overestimate by at most the socket's buffer, which is safe.
    let unsent = 0;
    for (let i = 0; i < inFlight.length; i++) {
      if ((inFlight[i] as GatedResponse)[kEndless] === true) return false;
      unsent += inFlight[i].writableLength;
    }
    return unsent <= this.#gate.maxQueuedBytes;
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (this.#socket.destroyed) {
      this.closed();
      return;
    }
    this.#inFlight.push(res);
    (res as GatedResponse)[kConnection] = this;
    res.once('finish', onResponseDone);
    res.once('close', onResponseDone);
    this.#gate.handler(req, res);
  }
}

/**
 * Marks a response that never ends on its own (an SSE stream). Nothing pipelined behind it
 * can ever be answered, so those requests wait unhandled instead of being handled into
 * answers Node would hold forever — and a connection whose queued answers grow is one Node
 * stops reading, so it would not even see its client leave.
 */
export function markEndless(res: ServerResponse): void {
  (res as GatedResponse)[kEndless] = true;
}

const kConnection = Symbol('gatedConnection');
const kEndless = Symbol('endlessResponse');
type GatedSocket = Socket & { [kConnection]?: GatedConnection };
type GatedResponse = ServerResponse & { [kConnection]?: GatedConnection; [kEndless]?: boolean };

// Shared listeners: each reaches its connection through the socket or response, not a closure.
function onResponseDone(this: GatedResponse): void {
  this[kConnection]?.answered(this);
}
function onSocketClose(this: GatedSocket): void {
  this[kConnection]?.closed();
}
