import type { SseClientKind } from '../config/types.js';
import type { HttpVersion } from '../config/wire.js';
import type { Transport } from '../protocol/transports.js';
import type { BenchClient } from './client-base.js';
import type { ClientEnvironment } from './client-environment.js';
import { EngineIoPollingClient } from './engineio-polling-client.js';
import { EventSourceClient } from './eventsource-client.js';
import { LongPollingClient } from './long-polling-client.js';
import { PollingClient } from './polling-client.js';
import { clientImplementation } from './raw-client-choice.js';
import { rawPollerSupports } from './raw-poller.js';
import { RawLongPollingClient, RawPollingClient } from './raw-polling-clients.js';
import { RawSseClient } from './raw-sse-client.js';
import { RawWsClient } from './raw-ws-client.js';
import { SocketIoClient } from './socketio-client.js';
import { SseClient } from './sse-client.js';
import { WsClient } from './ws-client.js';

/** The transport options a phase gives its clients. */
export interface ClientOptions {
  readonly transport: Transport;
  readonly pollIntervalUs?: number;
  readonly longPollTimeoutMs?: number;
  readonly sseClient?: SseClientKind;
  /** '2': HTTP/2 (h2c, or h2 by ALPN over TLS); absent: HTTP/1.1. */
  readonly http?: HttpVersion;
  /** Over TLS (https, wss). */
  readonly tls?: boolean;
  /** HTTP/2: subscribers sharing one connection. */
  readonly streamsPerConnection?: number;
  /** TLS: a certificate to trust (the reference server's, generated at its start). */
  readonly ca?: string;
  /** TLS: accept any certificate (--insecure, for self-signed targets). */
  readonly insecure?: boolean;
}

/**
 * One client of the phase's transport, as the environment's profile describes it.
 * `random()` places a poller's phase in its interval. The planner only asks for transports
 * the profile offers.
 */
export function createClient(options: ClientOptions, env: ClientEnvironment, index: number, topic: string, random: () => number): BenchClient {
  const { profile } = env;
  const missing = (): never => {
    throw new Error(`profile ${profile.name} does not offer ${options.transport}`);
  };
  if (profile.driver === 'socket.io') {
    if (options.transport !== 'ws' && options.transport !== 'long-polling') return missing();
    // Engine.IO polling by hand: socket.io-client's polling transport saturates the generator (see the client).
    if (options.transport === 'long-polling') return new EngineIoPollingClient(env, index, topic, profile.socketIo!);
    return new SocketIoClient(env, index, topic, profile.socketIo!);
  }
  // The raw clients (--client raw) speak protocol and profile alike over plain HTTP/1.1 but
  // do not trace: HTTP/2, TLS and a traced conversation (`profile check`) use the reference clients.
  const raw = clientImplementation() === 'raw' && env.trace === undefined && options.http === undefined && options.tls !== true;
  switch (options.transport) {
    case 'polling': {
      const spec = profile.transports.polling ?? missing();
      // The raw poller reads protocol-v1 answers only; other profiles keep the reference poller.
      if (raw && rawPollerSupports(spec)) return new RawPollingClient(env, index, topic, spec, options.pollIntervalUs!, random());
      return new PollingClient(env, index, topic, spec, options.pollIntervalUs!, random());
    }
    case 'long-polling': {
      const spec = profile.transports['long-polling'] ?? missing();
      if (raw && rawPollerSupports(spec)) return new RawLongPollingClient(env, index, topic, spec, options.longPollTimeoutMs!);
      return new LongPollingClient(env, index, topic, spec, options.longPollTimeoutMs!);
    }
    case 'sse': {
      const spec = profile.transports.sse ?? missing();
      if (options.sseClient === 'eventsource') return new EventSourceClient(env, index, topic, spec);
      return raw ? new RawSseClient(env, index, topic, spec) : new SseClient(env, index, topic, spec);
    }
    case 'ws':
      return raw ? new RawWsClient(env, index, topic, profile.transports.ws ?? missing()) : new WsClient(env, index, topic, profile.transports.ws ?? missing());
  }
}
