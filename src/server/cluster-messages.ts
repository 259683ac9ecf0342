import type { ServerMetrics } from '../protocol/server-metrics.js';
import type { ServerOptions } from '../server-options.js';
import type { TlsCredentials } from './tls-credentials.js';
import type { HandoverMode, HandoverSummary } from './log-handover.js';

/**
 * The IPC messages between a multi-process server's primary and its workers (node:cluster,
 * JSON serialisation). Events travel in flat arrays, batched per event-loop turn: one
 * message per worker per turn however many events.
 */

/** Publishes a worker received this turn: request, topic, body, empty (1/0), … (request 0: no answer wanted, a WebSocket publish). */
export type SubmitBatch = (string | number)[];
/** Numbered events for every worker: topic, id, body, empty (1/0), origin worker id, origin request, … */
export type EventBatch = (string | number)[];

export type PrimaryToWorker =
  | { type: 'start'; options: Partial<ServerOptions>; credentials?: TlsCredentials; handoverFile?: string }
  | { type: 'events'; batch: EventBatch }
  | { type: 'snapshot'; request: number }
  | { type: 'metrics'; request: number; metrics: ServerMetrics }
  | { type: 'stop' }
  /** The restart fault: stop as on `stop`, then write the logs to `file` (one worker does, for all). */
  | { type: 'hand-over'; mode: HandoverMode; file: string };

export type WorkerToPrimary =
  /** First message: its listener is in place (an ES module worker loads asynchronously, and a message that arrives before drops unheard). */
  | { type: 'hello' }
  | { type: 'listening'; url: string; port: number; tlsPort?: number; tlsUrl?: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'submit'; batch: SubmitBatch }
  | { type: 'metrics'; request: number }
  | { type: 'snapshot'; request: number; metrics: ServerMetrics }
  | { type: 'handed-over'; summary: HandoverSummary };
