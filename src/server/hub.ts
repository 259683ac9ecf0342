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
 */
export class Hub {
  readonly #topics = new Map<string, Topic>();
  readonly #ringCapacity: number;
  readonly #maxTopics: number;
  readonly #stats: ServerStats;

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

  /** Logs one event and delivers it to every subscriber of its topic. */
  publish(topic: Topic, body: string, bodyIsEmpty: boolean): LogEntry {
    const { entry, evicted } = topic.log.append(body, bodyIsEmpty);
    const stats = this.#stats;
    stats.eventsPublished++;
    if (evicted) stats.logEvictions++;
    for (const stream of topic.streams) stream.push(entry);
    if (topic.waiters.size > 0) {
      // Waiters that share a cursor (the common case: all were up to date) share one body.
      const bodyCache = new Map<number, Buffer>();
      for (const waiter of topic.waiters) waiter.wake(topic, bodyCache);
    }
    return entry;
  }

  /** Every topic, for shutdown and heartbeats. */
  topics(): IterableIterator<Topic> {
    return this.#topics.values();
  }
}
