import { TopicLog, type LogEntry } from './topic-log.js';
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
 * under load, publishes that arrived while the previous fan-out ran go out in the same turn,
 * and Node coalesces each socket's writes of one turn into one writev — one syscall per
 * subscriber per turn instead of per event. Each SSE event stays one write (one chunk).
 */
export class Hub {
  readonly #topics = new Map<string, Topic>();
  readonly #ringCapacity: number;
  readonly #maxTopics: number;
  readonly #stats: ServerStats;
  /** Events logged but not yet fanned out, in publish order: topic, entry, topic, entry, … */
  #pending: (Topic | LogEntry)[] = [];
  #flushScheduled: NodeJS.Immediate | undefined;

  constructor(ringCapacity: number, maxTopics: number, stats: ServerStats) {
    this.#ringCapacity = ringCapacity;
    this.#maxTopics = maxTopics;
    this.#stats = stats;
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /** The topic, created on first use; undefined when the topic limit is reached. */
  topic(name: string): Topic | undefined {
    let topic = this.#topics.get(name);
    if (topic === undefined) {
      if (this.#topics.size >= this.#maxTopics) return undefined;
      topic = { name, log: new TopicLog(name, this.#ringCapacity), streams: new Set(), waiters: new Set() };
      this.#topics.set(name, topic);
    }
    return topic;
  }

  /** Logs one event; every subscriber of its topic gets it at the end of this loop turn. */
  publish(topic: Topic, body: string, bodyIsEmpty: boolean): LogEntry {
    const { entry, evicted } = topic.log.append(body, bodyIsEmpty);
    const stats = this.#stats;
    stats.eventsPublished++;
    if (evicted) stats.logEvictions++;
    this.#pending.push(topic, entry);
    this.#flushScheduled ??= setImmediate(this.#flush);
    return entry;
  }

  /** Stops a scheduled fan-out (shutdown). */
  cancelFanOut(): void {
    if (this.#flushScheduled !== undefined) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = undefined;
    this.#pending = [];
  }

  readonly #flush = (): void => {
    this.#flushScheduled = undefined;
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
