import { TopicLog, type LogEntry } from './topic-log.js';
import { LogBudget } from './log-budget.js';
import type { ServerStats } from './server-stats.js';

/** A connection that receives every new event of its topic as it is published (SSE, WebSocket). */
export interface StreamSubscriber {
  push(entry: LogEntry): void;
}

/** A held long-poll; `wake` answers it and must remove it from the topic. */
export interface Waiter {
  readonly since: number;
  wake(topic: Topic, bodyCache: Map<number, Buffer>): void;
}

/**
 * The one numbering of a multi-process server's events (cluster-primary.ts): `submit` hands an
 * event over; it comes back to every process's Hub through `appendSequenced` with its id, and
 * `answer` (when given) is called with that id once this process's log holds it.
 */
export interface Sequencer {
  /** Called once the Hub that uses it holds its logs (handed-over ones loaded): from then on, numbered events are logged there. */
  bind(hub: Hub): void;
  submit(topic: string, body: string, bodyIsEmpty: boolean, answer: ((id: number) => void) | undefined): void;
}

export interface Topic {
  readonly name: string;
  readonly log: TopicLog;
  readonly streams: Set<StreamSubscriber>;
  readonly waiters: Set<Waiter>;
}

/**
 * Topics, their logs and their subscribers; `publish` is the one fan-out path every
 * transport is fed from, so all four deliver identical work.
 *
 * Fan-out is deferred to the end of the current event-loop turn (setImmediate) and done for
 * every event published in that turn together. Idle, that is one event and no added delay;
 * under load, publishes that arrived while the previous fan-out ran go out in the same turn.
 * For SSE, Node corks an HTTP response's writes of one turn into one writev — one syscall per
 * subscriber per turn instead of per event; each SSE event stays one write (one chunk). ws
 * corks only the header and payload of one frame, so a WebSocket stream corks its socket at
 * the turn's first frame and uncorks it on the next tick: one writev per turn there too.
 */
export class Hub {
  readonly #topics = new Map<string, Topic>();
  readonly #ringCapacity: number;
  readonly #ringBytes: number;
  readonly #maxTopics: number;
  readonly #stats: ServerStats;
  readonly #budget: LogBudget;
  /** Events logged but not yet fanned out, in publish order: topic, entry, topic, entry, … */
  #pending: (Topic | LogEntry)[] = [];
  #flushScheduled: NodeJS.Immediate | undefined;
  #fanOutTurn = 0;
  /** Set in a worker of a multi-process server: accepted publishes are numbered there, not here. */
  readonly #sequencer: Sequencer | undefined;

  /** Logs keep `ringCapacity` events and `ringBytes` per topic, and `maxLogBytes` in all. */
  constructor(bounds: { ringCapacity: number; ringBytes: number; maxLogBytes: number; maxTopics: number }, stats: ServerStats, sequencer?: Sequencer) {
    this.#sequencer = sequencer;
    this.#ringCapacity = bounds.ringCapacity;
    this.#ringBytes = bounds.ringBytes;
    this.#maxTopics = bounds.maxTopics;
    this.#budget = new LogBudget(bounds.maxLogBytes);
    this.#stats = stats;
  }

  /** Bytes all topic logs hold together (see LOG_ENTRY_OVERHEAD_BYTES). */
  get logBytes(): number {
    return this.#budget.retainedBytes;
  }

  /**
   * Counts fan-outs. A stream checks its unsent bytes once per turn, before its first write
   * of the turn (see StreamSubscription.push): a turn writes faster than any client reads,
   * so its bytes sit unsent until it ends even for a client that reads at once.
   */
  get fanOutTurn(): number {
    return this.#fanOutTurn;
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /** The topic, created on first use; undefined when the topic limit is reached. */
  topic(name: string): Topic | undefined {
    let topic = this.#topics.get(name);
    if (topic === undefined) {
      if (this.#topics.size >= this.#maxTopics) return undefined;
      topic = { name, log: new TopicLog(name, this.#ringCapacity, this.#ringBytes), streams: new Set(), waiters: new Set() };
      this.#topics.set(name, topic);
    }
    return topic;
  }

  /** Logs one event; every subscriber of its topic gets it at the end of this loop turn. */
  publish(topic: Topic, body: string, bodyIsEmpty: boolean): LogEntry {
    const { entry, bytes, evicted, evictedBytes } = topic.log.append(body, bodyIsEmpty);
    const stats = this.#stats;
    stats.eventsPublished++;
    stats.logEvictions += evicted + this.#budget.appended(topic.log, bytes, evicted, evictedBytes);
    this.#pending.push(topic, entry);
    this.#flushScheduled ??= setImmediate(this.#flush);
    return entry;
  }

  /**
   * A publish a route received (HTTP or a WebSocket frame), whatever the server's shape: one
   * process logs it at once and calls `answer` with its id before returning; a worker of a
   * multi-process server counts it here and hands it to the sequencer, which numbers it and
   * has every process log and fan it out (appendSequenced) — `answer` then comes once this
   * process's log holds it, one IPC round trip later.
   */
  accept(topic: Topic, body: string, bodyIsEmpty: boolean, answer: ((id: number) => void) | undefined): void {
    const sequencer = this.#sequencer;
    if (sequencer === undefined) {
      const entry = this.publish(topic, body, bodyIsEmpty);
      answer?.(entry.id);
      return;
    }
    this.#stats.eventsPublished++;
    sequencer.submit(topic.name, body, bodyIsEmpty, answer);
  }

  /**
   * Logs (with exactly this id, see TopicLog.appendWithId) and fans out an event the
   * sequencer numbered; not counted as published here (the receiving process counted it).
   * A topic this process cannot hold (its topic limit) is skipped: none of its clients can
   * read it.
   */
  appendSequenced(name: string, id: number, body: string, bodyIsEmpty: boolean): void {
    const topic = this.topic(name);
    if (topic === undefined) return;
    const { entry, bytes, evicted, evictedBytes } = topic.log.appendWithId(id, body, bodyIsEmpty);
    this.#stats.logEvictions += evicted + this.#budget.appended(topic.log, bytes, evicted, evictedBytes);
    this.#pending.push(topic, entry);
    this.#flushScheduled ??= setImmediate(this.#flush);
  }

  /**
   * Appends an event a previous server kept (log-handover.ts) before this one serves: held
   * to the same bounds as a publish, not fanned out and not counted as published.
   */
  restore(topic: Topic, body: string, bodyIsEmpty: boolean): void {
    const { bytes, evicted, evictedBytes } = topic.log.append(body, bodyIsEmpty);
    this.#budget.appended(topic.log, bytes, evicted, evictedBytes);
  }

  /** Stops a scheduled fan-out (shutdown). */
  cancelFanOut(): void {
    if (this.#flushScheduled !== undefined) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = undefined;
    this.#pending = [];
  }

  readonly #flush = (): void => {
    this.#flushScheduled = undefined;
    this.#fanOutTurn++;
    const pending = this.#pending;
    this.#pending = [];
    for (let i = 0; i < pending.length; i += 2) {
      const topic = pending[i] as Topic;
      const entry = pending[i + 1] as LogEntry;
      for (const stream of topic.streams) stream.push(entry);
      if (topic.waiters.size > 0) {
        // A waiter answers with everything after its cursor, so later events of this batch
        // find it gone. Waiters that share a cursor (the usual case) share one body.
        const bodyCache = new Map<number, Buffer>();
        for (const waiter of topic.waiters) waiter.wake(topic, bodyCache);
      }
    }
  };

  /** Every topic, for shutdown and heartbeats. */
  topics(): IterableIterator<Topic> {
    return this.#topics.values();
  }
}
