/**
 * Messages between the runner (main thread) and a client worker thread. Histograms travel
 * encoded (compressed base64), counters as plain numbers.
 */
import type { ClientOptions } from '../clients/create-client.js';
import type { Arrival, FaultSpec, ReconnectPolicy } from '../config/types.js';
import type { Profile } from '../profiles/profile-types.js';
import type { StreamExpectation } from '../protocol/stream-expectation.js';
import type { PublishReport } from '../publisher/publish-report.js';
import type { Topology } from '../workload/topology.js';

export interface WorkerInit {
  workerIndex: number;
  targetUrl: string;
  /** How to talk to the target (structured-cloned: templates are plain data). */
  profile: Profile;
  client: ClientOptions;
  topology: Topology;
  /** This worker's clients: global indexes first … first + count − 1. */
  firstClient: number;
  clientCount: number;
  /** Connections per second this worker opens while ramping up. */
  connectRatePerS: number;
  /** Second i of every per-second series is [phaseStartUs + i s, + 1 s). */
  phaseStartUs: number;
  seed: number;
  /** Client-side faults (cut, storm), timed from the window's start. */
  faults: readonly FaultSpec[];
  reconnect?: ReconnectPolicy;
  resume: boolean;
  /** rooms: each client publishes to its room at this rate. */
  upstream?: { ratePerS: number; arrival: Arrival; payloadBytes: number };
  /** A shard: latency is timed only on events of this origin key (its own publisher); others count for loss. */
  ownOriginKey?: number;
  /** Local addresses the clients' connections bind to, in turn. */
  sourceAddresses?: string[];
  /** With sourceAddresses: this worker's own slice of local ports (source-addresses.ts sourcePortSlice). */
  sourcePorts?: { first: number; count: number };
}

export type ToWorker =
  | { type: 'window'; publishStartUs: number; windowStartUs: number; windowEndUs: number }
  /** Every publishing stream's window seqs and refusals: what the subscribers should get. */
  | {
      type: 'expected';
      streams: StreamExpectation[];
      /** Restarts that lost the server's log: per stream, the last seq the old server had accepted. */
      lostLogThrough?: { originKey: number; topicIndex: number; seq: number }[];
    }
  /** The server is restarting (the restart fault): every client's connection ends; recovery is timed from `atUs`. */
  | { type: 'restart'; atUs: number }
  | { type: 'stop' };

/** Cumulative counters at one moment; the window's figures are end − start. */
export interface CounterSnapshot {
  requests: number;
  /** Polling slots that passed without a poll (the previous one still out, or the loop late). */
  missedPolls: number;
  emptyResponses: number;
  received: number;
  bytesDown: number;
  bytesUp: number;
  /** Subscriber TCP connections open now (HTTP/2 subscribers share them: streamsPerConnection). */
  connections?: number;
  publishRequests: number;
  publishErrors: number;
}

export interface WorkerTick {
  type: 'tick';
  /** The second just ended (0 = the phase's first). */
  second: number;
  connected: number;
  everConnected: number;
  counters: CounterSnapshot;
  /** Latency of every event received during that second. */
  secondLatency: string;
  /** This thread's event-loop utilisation over the second (0–1) and its loop delay p99. */
  utilization: number;
  loopDelayP99Us: number;
  /**
   * This thread's CPU time over the second as a share of one core (0–1; NaN where the OS does
   * not tell): unlike `utilization`, it does not count the time the thread waited for a CPU on a
   * busy machine. A client thread near 1 is saturated.
   */
  cpuShare?: number;
  delivered: number;
  /** Cumulative, as `delivered`: window events received again, and reconnections (for the live metrics). */
  duplicated?: number;
  reconnects?: number;
}


export interface WorkerFinal {
  type: 'final';
  latency: string;
  connect: string;
  /** Time from each cut to that client's next event. */
  recovery: string;
  cuts: number;
  /** False when the phase stopped before the publishers reported: expected and lost are then unknown. */
  expectationsKnown: boolean;
  /** Counted per stream from seqs (DESIGN §4); see DeliveryTracker.tally. */
  expected: number;
  delivered: number;
  lost: number;
  /** Of `lost`: seqs at or before a lostLogThrough mark — in a log a restart lost before the subscriber had them. */
  lostInRestarts?: number;
  unexpected: number;
  duplicated: number;
  outOfOrder: number;
  gaps: number;
  protocolErrors: number;
  otherMessages: number;
  connectErrors: number;
  requestErrors: number;
  reconnects: number;
  connected: number;
  everConnected: number;
  windowStart: CounterSnapshot | undefined;
  windowEnd: CounterSnapshot | undefined;
}

export type FromWorker =
  | WorkerTick
  /** Every client of this worker has connected at least once. */
  | { type: 'connected'; everConnected: number; connectErrors: number }
  | ({ type: 'published' } & PublishReport)
  /** Every expected delivery has arrived. */
  | { type: 'drained' }
  | WorkerFinal
  | { type: 'fatal'; message: string };
