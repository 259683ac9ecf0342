import { readFileSync } from 'node:fs';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { SocketAccounting } from '../metrics/socket-bytes.js';
import type { ReconnectPolicy } from '../config/types.js';
import { markerFor, type Profile } from '../profiles/profile-types.js';
import type { Transport } from '../protocol/transports.js';
import { newEventFields, type EventFields } from '../protocol/event.js';
import { stripBrackets } from '../protocol/host.js';
import { ClientMetrics } from './client-metrics.js';
import { MessageReader } from './message-reader.js';
import { secureOver, type ClientTls } from './tls-connect.js';
import { H2SessionPool } from './h2-session-pool.js';
import type { ClientOptions } from './create-client.js';
import { DEFAULT_STREAMS_PER_CONNECTION } from '../config/wire.js';

const HTTP1_ALPN = ['http/1.1'] as const;

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
  /** Local addresses new connections bind to, in turn (past one address's ephemeral ports); empty: the kernel's choice. */
  sourceAddresses: readonly string[] = [];
  /** With sourceAddresses: the local ports this worker binds to (every address gets each in turn); undefined: bind(addr, 0). */
  sourcePorts: { readonly first: number; readonly count: number } | undefined;
  #nextAddress = 0;

  /** TLS to the target (an https:// target URL): every connection is wrapped in it. */
  readonly tls: ClientTls | undefined;
  /** HTTP/2 (ClientOptions.http '2'): the sessions the clients' requests share. */
  readonly h2: H2SessionPool | undefined;

  /**
   * `transport`: whose marker to read messages with, when the profile gives it its own.
   * `wire`: TLS trust (with an https:// target) and HTTP/2 (ClientOptions).
   */
  constructor(targetUrl: string, profile: Profile, trace?: TraceListener, transport?: Transport, wire: Pick<ClientOptions, 'http' | 'streamsPerConnection' | 'ca' | 'insecure'> = {}) {
    const url = new URL(targetUrl);
    this.host = stripBrackets(url.hostname);
    this.tls = url.protocol === 'https:' ? { ...(wire.ca !== undefined ? { ca: wire.ca } : {}), ...(wire.insecure ? { insecure: true } : {}) } : undefined;
    this.port = Number(url.port || (this.tls !== undefined ? 443 : 80));
    this.h2 = wire.http === '2' ? new H2SessionPool(this, wire.streamsPerConnection ?? DEFAULT_STREAMS_PER_CONNECTION) : undefined;
    this.origin = `${url.protocol}//${url.host}`;
    this.profile = profile;
    const marker = transport !== undefined ? markerFor(profile, transport) : profile.marker;
    this.reader = new MessageReader(marker, this.metrics, this.fields);
    this.trace = trace;
  }

  /** A TCP connection whose bytes are counted: the createConnection of every client socket. */
  readonly connect = (options: object): Socket => {
    // http.request, the Agent and ws all pass net.connect options (host, port, …).
    const addresses = this.sourceAddresses;
    if (addresses.length === 0) return this.#open(options, -1);
    const ports = this.sourcePorts;
    if (ports === undefined) return this.#open({ ...options, localAddress: addresses[this.#nextAddress++ % addresses.length] }, -1);
    // Slot s = address s mod A, port first + ⌊s / A⌋: the next slot no open socket of this
    // worker holds (next-fit, so a port just closed — maybe in TIME_WAIT — is reused last).
    const total = addresses.length * ports.count;
    const used = (this.#slotsInUse ??= listenersMarked(new Uint8Array(total), addresses, ports));
    let slot = this.#nextAddress % total;
    for (let tries = 0; used[slot] !== FREE && tries < total; tries++) slot = (slot + 1) % total;
    this.#nextAddress = slot + 1;
    // Every slot held (more connections than ports): the kernel's choice, as without slices.
    if (used[slot] !== FREE) return this.#open({ ...options, localAddress: addresses[slot % addresses.length] }, -1);
    return this.#open({ ...options, localAddress: addresses[slot % addresses.length], localPort: ports.first + Math.floor(slot / addresses.length) }, slot);
  };

  #slotsInUse: Uint8Array | undefined;

  #open(options: object, slot: number): Socket {
    const socket = createConnection(options as NetConnectOpts);
    if (slot >= 0) {
      const used = this.#slotsInUse!;
      used[slot] = HELD;
      // A port something else holds (a listener started since): never this slot again.
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' || error.code === 'EADDRNOTAVAIL') used[slot] = UNUSABLE;
      });
      socket.once('close', () => {
        if (used[slot] === HELD) used[slot] = FREE;
      });
    }
    socket.setNoDelay(true);
    this.sockets.track(socket);
    return this.tls !== undefined ? secureOver(socket, this.host, this.tls, HTTP1_ALPN) : socket;
  }
}

const FREE = 0;
const HELD = 1;
const UNUSABLE = 2;

/**
 * Marks the slots whose port a listening socket holds on a wildcard address or on one of ours
 * (/proc/net/tcp, tcp6): bind() would refuse them (EADDRINUSE), and the client would count a
 * connect error that is not the server's.
 */
function listenersMarked(slots: Uint8Array, addresses: readonly string[], ports: { readonly first: number; readonly count: number }): Uint8Array {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // not Linux, or no IPv6
    }
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // LISTEN
      const [hexAddress, hexPort] = (fields[1] ?? '').split(':');
      const port = Number.parseInt(hexPort ?? '', 16);
      if (!(port >= ports.first && port < ports.first + ports.count)) continue;
      const wildcard = /^0+$/.test(hexAddress ?? '');
      for (let a = 0; a < addresses.length; a++) {
        if (wildcard || hexAddress === procHex(addresses[a])) slots[(port - ports.first) * addresses.length + a] = UNUSABLE;
      }
    }
  }
  return slots;
}

/** An IPv4 address as /proc/net/tcp writes it (little-endian hex); other families never match a specific listener here. */
function procHex(address: string): string {
  const octets = address.split('.');
  return octets.length === 4 ? octets.map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase()).reverse().join('') : '';
}
