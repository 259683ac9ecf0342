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
  #opened = 0;

  constructor(env: ClientEnvironment, options: AgentOptions = {}) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ...options });
    this.#env = env;
  }

  // Agent.createConnection is not in @types/node's public Agent type, but is Node's documented hook.
  override createConnection(options: NetConnectOpts): Socket {
    if (this.#opened++ > 0) this.#env.metrics.reconnects++;
    return this.#env.connect(options);
  }
}
