import { Agent, type AgentOptions } from 'node:http';
import type { Socket, NetConnectOpts } from 'node:net';
import type { ClientEnvironment } from './client-environment.js';

/**
 * A keep-alive agent with one socket for one polling client: its sockets are counted by the
 * worker's meter, and a socket opened after the first is a reconnect (the server or an idle
 * timeout closed the last one).
 */
export class MeteredAgent extends Agent {
  readonly #env: ClientEnvironment;
  readonly #connect: (options: object) => Socket;
  #opened = 0;

  /** `connect`: how to open a socket (the owning client's, so a fault can cut it); the environment's meter by default. */
  constructor(env: ClientEnvironment, options: AgentOptions = {}, connect: (options: object) => Socket = env.connect) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ...options });
    this.#env = env;
    this.#connect = connect;
  }

  // Agent.createConnection is not in @types/node's public Agent type, but is Node's documented hook.
  override createConnection(options: NetConnectOpts): Socket {
    if (this.#opened++ > 0) this.#env.metrics.reconnects++;
    return this.#connect(options);
  }
}
