import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { SocketAccounting } from '../metrics/socket-bytes.js';
import type { ReconnectPolicy } from '../config/types.js';
import { markerFor, type Profile } from '../profiles/profile-types.js';
import type { Transport } from '../protocol/transports.js';
import { newEventFields, type EventFields } from '../protocol/event.js';
import { stripBrackets } from '../protocol/host.js';
import { ClientMetrics } from './client-metrics.js';
import { MessageReader } from './message-reader.js';

/**
 * A step of a client's conversation with the server, for `rtbench profile check`: what was
 * sent, what came back, where the event was found. Off (undefined) in measured runs.
 */
export type TraceListener = (step: string) => void;

/** What every client of one worker shares: where the server is, the profile, the metrics, the byte meter. */
export class ClientEnvironment {
  readonly host: string;
  readonly port: number;
  readonly origin: string;
  readonly profile: Profile;
  readonly metrics = new ClientMetrics();
  readonly sockets = new SocketAccounting();
  /** Scratch for readEventFields: one per worker, reused for every message. */
  readonly fields: EventFields = newEventFields();
  /** The profile's marker applied to each message. */
  readonly reader: MessageReader;
  readonly trace: TraceListener | undefined;
  /** The scenario's reconnect backoff; undefined keeps each transport's usual delay. */
  reconnect: ReconnectPolicy | undefined;
  /** Reconnect where the client left off (Last-Event-ID, since, cursors); false for naive clients. */
  resume = true;

  /** `transport`: whose marker to read messages with, when the profile gives it its own. */
  constructor(targetUrl: string, profile: Profile, trace?: TraceListener, transport?: Transport) {
    const url = new URL(targetUrl);
    this.host = stripBrackets(url.hostname);
    this.port = Number(url.port || 80);
    this.origin = `${url.protocol}//${url.host}`;
    this.profile = profile;
    const marker = transport !== undefined ? markerFor(profile, transport) : profile.marker;
    this.reader = new MessageReader(marker, this.metrics, this.fields);
    this.trace = trace;
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
