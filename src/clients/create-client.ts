import type { SseClientKind } from '../config/types.js';
import type { Transport } from '../protocol/transports.js';
import type { BenchClient } from './client-base.js';
import type { ClientEnvironment } from './client-environment.js';
import { EventSourceClient } from './eventsource-client.js';
import { LongPollingClient } from './long-polling-client.js';
import { PollingClient } from './polling-client.js';
import { SseClient } from './sse-client.js';
import { WsClient } from './ws-client.js';

/** The transport options a phase gives its clients. */
export interface ClientOptions {
  readonly transport: Transport;
  readonly pollIntervalUs?: number;
  readonly longPollTimeoutMs?: number;
  readonly sseClient?: SseClientKind;
}

/** One client of the phase's transport. `random()` places a poller's phase in its interval. */
export function createClient(options: ClientOptions, env: ClientEnvironment, index: number, topic: string, random: () => number): BenchClient {
  switch (options.transport) {
    case 'polling':
      return new PollingClient(env, index, topic, options.pollIntervalUs!, random());
    case 'long-polling':
      return new LongPollingClient(env, index, topic, options.longPollTimeoutMs!);
    case 'sse':
      return options.sseClient === 'eventsource' ? new EventSourceClient(env, index, topic) : new SseClient(env, index, topic);
    case 'ws':
      return new WsClient(env, index, topic);
  }
}
