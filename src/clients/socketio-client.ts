import { io, type Socket } from 'socket.io-client';
import { nowUs } from '../clock.js';
import type { EmitSpec, SocketIoSpec } from '../profiles/profile-types.js';
import { renderTemplate } from '../profiles/template.js';
import type { PublishOutcome } from '../publisher/publish-sender.js';
import type { ClientEnvironment } from './client-environment.js';
import { ClientBase } from './client-base.js';
import { MeteredAgent } from './metered-agent.js';
import { topicVars } from './request-parts.js';

const RECONNECT_MS = 1000;
const SENT: PublishOutcome = { ok: true, status: 0 };
const REFUSED: PublishOutcome = { ok: false, status: 0 };

/**
 * The socket.io driver's ws transport (DESIGN §2b `driver: socket.io`): a Socket.IO 4 client
 * on Engine.IO's websocket transport (long-polling is engineio-polling-client.ts).
 * socket.io-client does the Engine.IO handshake, namespace connect and ping/pong; its
 * WebSocket goes through a metered agent, so bytes are counted as on every other transport
 * and each upgrade (one socket each) counts as one subscriber request. After connecting it
 * emits the profile's `subscribe` (a room named by the topic); the profile's `event` carries
 * published messages, each argument read with the marker.
 */
export class SocketIoClient extends ClientBase {
  readonly #spec: SocketIoSpec;
  readonly #vars: Record<string, string>;
  #socket: Socket | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string, spec: SocketIoSpec) {
    super(env, index, topic);
    this.#spec = spec;
    this.#vars = { ...topicVars(topic), topic };
  }

  override start(): void {
    this.connecting();
    // One socket per WebSocket upgrade: opening one is one subscriber request.
    const agent = new MeteredAgent((options) => {
      this.env.metrics.requests++;
      return this.connectOwn(options);
    });
    const namespace = this.#spec.namespace === '/' ? '' : this.#spec.namespace;
    this.env.trace?.(`Socket.IO connect ${this.env.origin}${namespace} path ${this.#spec.path} transport websocket`);
    const socket = io(`${this.env.origin}${namespace}`, {
      path: this.#spec.path,
      transports: ['websocket'],
      upgrade: false,
      forceNew: true,
      reconnection: true,
      reconnectionDelay: RECONNECT_MS,
      reconnectionDelayMax: 5 * RECONNECT_MS,
      randomizationFactor: 0.5,
      timeout: 20_000,
      // Compression would hide the bytes the transport costs, as on the other transports.
      perMessageDeflate: false as unknown as { threshold: number },
      agent: agent as unknown as string,
    });
    socket.on('connect', () => this.#connected());
    socket.on('disconnect', () => this.closed());
    socket.on('connect_error', (error: Error) => {
      this.env.trace?.(`← connect error: ${error.message}`);
      if (!this.everConnected) this.connectFailed();
    });
    socket.on(this.#spec.event, (...args: unknown[]) => this.#message(args));
    socket.onAny((event: string) => {
      if (event !== this.#spec.event) this.env.metrics.otherMessages++;
    });
    this.#socket = socket;
  }

  protected override close(): void {
    this.#socket?.disconnect();
    this.#socket = undefined;
  }

  override publish(body: string, done: (outcome: PublishOutcome) => void): void {
    const spec = this.#spec.publish;
    if (spec === undefined) {
      super.publish(body, done);
      return;
    }
    const socket = this.#socket;
    this.env.metrics.publishRequests++;
    if (socket === undefined || !socket.connected) {
      this.env.metrics.publishErrors++;
      done(REFUSED);
      return;
    }
    this.#emit(socket, spec, { ...this.#vars, event: body, 'event|json': JSON.stringify(body) }, () => done(SENT));
  }

  #connected(): void {
    this.env.trace?.('← connected (websocket)');
    const subscribe = this.#spec.subscribe;
    if (subscribe === undefined) {
      this.opened(nowUs());
      return;
    }
    this.#emit(this.#socket!, subscribe, this.#vars, () => this.opened(nowUs()));
  }

  /** Emits `spec` with its arguments rendered; `then` once acknowledged (or at once without ack). */
  #emit(socket: Socket, spec: EmitSpec, vars: Record<string, string>, then: () => void): void {
    const args: unknown[] = spec.args.map((a) => renderTemplate(a, vars));
    this.env.trace?.(`→ emit ${JSON.stringify([spec.event, ...args]).slice(0, 300)}`);
    if (spec.ack) socket.emit(spec.event, ...args, then);
    else {
      socket.emit(spec.event, ...args);
      then();
    }
  }

  #message(args: unknown[]): void {
    const receiveUs = nowUs();
    const reader = this.env.reader;
    let events = 0;
    for (const arg of args) {
      if (typeof arg === 'function') continue;
      const bytes = Buffer.from(typeof arg === 'string' ? arg : JSON.stringify(arg));
      events += reader.read(this.tracker, bytes, 0, bytes.length, receiveUs);
    }
    this.env.trace?.(`← ${this.#spec.event} ${JSON.stringify(args).slice(0, 300)} — ${events > 0 ? `rtbench event found (${events})` : 'no rtbench event in it'}`);
  }
}
