import type { SseClientKind } from '../config/types.js';
import type { Transport } from '../protocol/transports.js';
import type { BenchClient } from './client-base.js';
import type { ClientEnvironment } from './client-environment.js';
import { EngineIoPollingClient } from './engineio-polling-client.js';
import { EventSourceClient } from './eventsource-client.js';
import { LongPollingClient } from './long-polling-client.js';
import { PollingClient } from './polling-client.js';
import { SocketIoClient } from './socketio-client.js';
import { SseClient } from './sse-client.js';
import { WsClient } from './ws-client.js';

/** The transport options a phase gives its clients. */
export interface ClientOptions {
  readonly transport: Transport;
  readonly pollIntervalUs?: number;
  readonly longPollTimeoutMs?: number;
  readonly sseClient?: SseClientKind;
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
  switch (options.transport) {
    case 'polling':
      return new PollingClient(env, index, topic, profile.transports.polling ?? missing(), options.pollIntervalUs!, random());
    case 'long-polling':
      return new LongPollingClient(env, index, topic, profile.transports['long-polling'] ?? missing(), options.longPollTimeoutMs!);
    case 'sse': {
      const spec = profile.transports.sse ?? missing();
      return options.sseClient === 'eventsource' ? new EventSourceClient(env, index, topic, spec) : new SseClient(env, index, topic, spec);
    }
    case 'ws':
      return new WsClient(env, index, topic, profile.transports.ws ?? missing());
  }
}
