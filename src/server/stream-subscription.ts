import { MAX_POLL_LIMIT } from '../protocol/routes.js';
import type { ServerContext } from './context.js';
import type { StreamSubscriber, Topic } from './hub.js';
import type { LogEntry } from './topic-log.js';

/** The streaming transports: the keys of their counters in ServerStats. */
export type StreamKind = 'sse' | 'ws';

/**
 * One streaming connection subscribed to a topic — what SSE and WebSocket share: where the
 * stream starts (its cursor or the head), the backlog after a cursor, de-duplication against
 * that backlog, the slow-consumer check, detaching and the counters. A subclass owns its
 * connection and its framing: how an event, the gap marker and the opening are written, how
 * many bytes are still unsent, and how the connection is cut.
 *
 * The subclass constructor calls `start` last, once its own fields are set: starting writes
 * the backlog through the subclass's methods.
 */
export abstract class StreamSubscription implements StreamSubscriber {
  protected readonly ctx: ServerContext;
  protected readonly topic: Topic;
  readonly #kind: StreamKind;
  readonly #registry: Set<StreamSubscription>;
  /** Id of the last event sent on this stream. */
  #lastId = 0;
  /** Dropped as a slow consumer or gone: nothing more is written or counted. */
  #closed = false;
  /** The hub's fan-out turn whose first write checked the unsent bytes (-1: none yet). */
  #checkedTurn = -1;

  /** Counts the stream open and adds it to `registry` (the server's open streams of its kind, for keep-alives and shutdown). */
  protected constructor(ctx: ServerContext, topic: Topic, kind: StreamKind, registry: Set<StreamSubscription>) {
    this.ctx = ctx;
    this.topic = topic;
    this.#kind = kind;
    this.#registry = registry;
    ctx.stats.open[kind]++;
    registry.add(this);
  }

  /** True once the stream was dropped or detached. */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** True when the connection closed (or is closing) and its 'close' has not arrived yet. */
  protected abstract get gone(): boolean;
  /** Bytes written to the connection and not yet sent. */
  protected abstract get unsentBytes(): number;
  /** Writes what opens the stream, before any event (nothing by default). */
  protected writeOpening(_startId: number): void {}
  /** Writes one event in the transport's framing. */
  protected abstract writeEvent(entry: LogEntry): void;
  /** Writes the marker telling the client that events after its cursor were evicted. */
  protected abstract writeGap(): void;
  /** Cuts the connection at once (a slow consumer). */
  protected abstract destroy(): void;

  /**
   * Starts the stream after `cursor` — its backlog first, a gap marker when part of it was
   * evicted — or, without one, at the head (no history); then subscribes it to new events.
   */
  protected start(cursor: number | undefined): void {
    this.#lastId = cursor ?? this.topic.log.headId;
    this.writeOpening(this.#lastId);
    if (cursor !== undefined) this.#sendBacklog(cursor);
    if (!this.#closed) this.topic.streams.add(this);
  }

  push(entry: LogEntry): void {
    // A stream that joined with a cursor between an event's logging and its fan-out has it
    // from its backlog already.
    if (entry.id <= this.#lastId || this.#closed) return;
    this.#lastId = entry.id;
    // A connection that closed since the last event (its 'close' still pending) gets
    // nothing: the bytes would only be counted as unsent and never sent.
    if (this.gone) {
      this.detach();
      return;
    }
    // Slow consumer: what earlier turns wrote is still unsent past the limit. Checked before
    // the turn's first write, not after each: one turn writes faster than any client reads,
    // so its own writes count as unsent until it ends even for a client that reads at once
    // (SSE: Node corks a response's writes of one turn into one writev; WebSocket: the stream
    // corks its socket for the turn the same way),
    // and a burst or backlog larger than the limit would drop a healthy client. A turn's
    // writes reference the log's frames; they are not copies.
    const turn = this.ctx.hub.fanOutTurn;
    if (turn !== this.#checkedTurn) {
      this.#checkedTurn = turn;
      if (this.unsentBytes > this.ctx.options.maxBufferedBytes) {
        this.#drop();
        return;
      }
    }
    this.writeEvent(entry);
    this.ctx.stats.delivered[this.#kind]++;
  }

  /** Stops delivering and counting (the connection closed, or the stream was dropped); idempotent. */
  detach(): void {
    this.#closed = true;
    if (!this.#registry.delete(this)) return;
    this.topic.streams.delete(this);
    this.ctx.stats.open[this.#kind]--;
  }

  /**
   * A slow consumer: its unsent bytes passed maxBufferedBytes. Counted once and detached at
   * once: the rest of this fan-out must neither count it again nor write to it before its
   * 'close' arrives.
   */
  #drop(): void {
    this.ctx.stats.slowConsumerDrops[this.#kind]++;
    this.detach();
    this.destroy();
  }

  #sendBacklog(cursor: number): void {
    let read = this.topic.log.readSince(cursor, MAX_POLL_LIMIT);
    if (read.gap) this.writeGap();
    while (read.entries.length > 0 && !this.#closed) {
      for (const entry of read.entries) this.push(entry);
      read = this.topic.log.readSince(read.next, MAX_POLL_LIMIT);
    }
  }
}
