import { nowUs } from '../clock.js';
import { PublishSender, type PublishOutcome } from '../publisher/publish-sender.js';
import type { ClientEnvironment } from './client-environment.js';
import { DeliveryTracker } from './delivery-tracker.js';

/** What the worker asks of every client, whatever its transport. */
export interface BenchClient {
  readonly index: number;
  readonly topic: string;
  /** True once the client has connected at least once. */
  readonly everConnected: boolean;
  /** What this client received, per publishing stream. */
  readonly tracker: DeliveryTracker;
  /** When the client first connected (µs on the shared monotonic clock), Infinity before. */
  readonly connectedAtUs: number;
  /** Connects (and keeps reconnecting until stopped). */
  start(): void;
  /** Closes everything; no reconnects afterwards. */
  stop(): void;
  /** rooms: sends one event body upstream on this client's transport; `done` once accepted or refused. */
  publish(body: string, done: (outcome: PublishOutcome) => void): void;
}

/**
 * What every transport shares: connect timing, connection counts, the delivery tracker,
 * stopping, and publishing upstream for rooms — by `POST /publish` on a connection of its
 * own (the subscription holds the other); the WebSocket client overrides that with its socket.
 */
export abstract class ClientBase implements BenchClient {
  readonly index: number;
  readonly topic: string;
  protected readonly env: ClientEnvironment;
  readonly tracker = new DeliveryTracker();
  everConnected = false;
  protected stopped = false;
  #open = false;
  #connectStartUs = 0;
  /** When the client first connected (µs), or Infinity before that. */
  connectedAtUs = Number.POSITIVE_INFINITY;
  #upstream: PublishSender | undefined;

  constructor(env: ClientEnvironment, index: number, topic: string) {
    this.env = env;
    this.index = index;
    this.topic = topic;
  }

  abstract start(): void;
  /** Closes the transport's own connection and timers (stop() does the rest). */
  protected abstract close(): void;

  stop(): void {
    this.stopped = true;
    this.close();
    void this.#upstream?.close();
    this.closed();
  }

  publish(body: string, done: (outcome: PublishOutcome) => void): void {
    this.#upstream ??= new PublishSender(this.env.origin, this.env.profile.publish, { connections: 1, pipelining: 8, createSocket: this.env.connect });
    this.env.metrics.publishRequests++;
    this.#upstream.publish(this.topic, 0, body, (outcome) => {
      if (!outcome.ok) this.env.metrics.publishErrors++;
      done(outcome);
    });
  }

  /** Call when a connection attempt begins. */
  protected connecting(): void {
    if (!this.everConnected) this.#connectStartUs = nowUs();
  }

  /** Call when the client is connected (first answer, stream open, socket open). */
  protected opened(atUs: number): void {
    if (this.#open) return;
    this.#open = true;
    this.env.metrics.connected++;
    if (!this.everConnected) {
      this.everConnected = true;
      this.connectedAtUs = atUs;
      this.env.metrics.connect.recordValue(Math.max(0, atUs - this.#connectStartUs));
    } else {
      this.env.metrics.reconnects++;
    }
  }

  /** Call when an open connection is lost (or closed by stop). */
  protected closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.env.metrics.connected--;
  }

  /** Call when an attempt to connect failed before it opened. */
  protected connectFailed(): void {
    this.env.metrics.connectErrors++;
  }
}
