import { Agent, type AgentOptions } from 'node:http';
import type { Socket, NetConnectOpts } from 'node:net';

/**
 * A keep-alive agent (one socket unless told otherwise) whose sockets come from the owning
 * client's `connect`: counted by the worker's meter, and known to the client so a fault can
 * cut them. The client decides what a new socket means (a poller: a reconnect).
 */
export class MeteredAgent extends Agent {
  readonly #connect: (options: object) => Socket;

  constructor(connect: (options: object) => Socket, options: AgentOptions = {}) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ...options });
    this.#connect = connect;
  }

  // Agent.createConnection is not in @types/node's public Agent type, but is Node's documented hook.
  override createConnection(options: NetConnectOpts): Socket {
    return this.#connect(options);
  }
}
