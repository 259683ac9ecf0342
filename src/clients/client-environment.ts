import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { SocketAccounting } from '../metrics/socket-bytes.js';
import { newEventFields, type EventFields } from '../protocol/event.js';
import { ClientMetrics } from './client-metrics.js';

/** What every client of one worker shares: where the server is, the metrics, the byte meter. */
export class ClientEnvironment {
  readonly host: string;
  readonly port: number;
  readonly origin: string;
  readonly metrics = new ClientMetrics();
  readonly sockets = new SocketAccounting();
  /** Scratch for readEventFields: one per worker, reused for every message. */
  readonly fields: EventFields = newEventFields();

  constructor(targetUrl: string) {
    const url = new URL(targetUrl);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.origin = `${url.protocol}//${url.host}`;
  }

  /** A TCP connection whose bytes are counted: the createConnection of every client socket. */
  readonly connect = (options: object): Socket => {
    // http.request, the Agent and ws all pass net.connect options (host, port, …).
    const socket = createConnection(options as NetConnectOpts);
    socket.setNoDelay(true);
    this.sockets.track(socket);
    return socket;
  };
}
