import type { TopicLog } from './topic-log.js';

/**
 * The server-wide byte bound on event logs (`maxLogBytes`): each topic's own bounds keep one
 * topic in check, this keeps many topics in check together. Past the bound, the oldest
 * events of the whole server are evicted first, whichever topic they belong to.
 *
 * It remembers the topic of every appended event in publish order. An event its topic
 * already evicted on its own (count or ringBytes) stays in that order as a stale mark; since
 * a topic evicts oldest first, its stale marks are always its earliest ones, so a count per
 * topic says which marks to skip. The order is compacted when stale marks outnumber live ones.
 */
export class LogBudget {
  readonly #maxBytes: number;
  #bytes = 0;
  #live = 0;
  /** Topic of each appended event, oldest first, from index #first on. */
  #order: TopicLog[] = [];
  #first = 0;
  /** Per topic: how many of its earliest marks in #order are stale. Only topics with some. */
  readonly #stale = new Map<TopicLog, number>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes the retained events of all topics count for. */
  get retainedBytes(): number {
    return this.#bytes;
  }

  /**
   * Records an append (see TopicLog.append) and evicts the server's oldest events while the
   * total is past the bound; returns how many it evicted. The event just appended is kept.
   */
  appended(log: TopicLog, bytes: number, evictedByLog: number, evictedBytes: number): number {
    this.#order.push(log);
    this.#live += 1 - evictedByLog;
    this.#bytes += bytes - evictedBytes;
    if (evictedByLog > 0) this.#stale.set(log, (this.#stale.get(log) ?? 0) + evictedByLog);
    let evicted = 0;
    while (this.#bytes > this.#maxBytes && this.#live > 1) {
      const oldest = this.#order[this.#first++];
      if (this.#skipStale(oldest)) continue;
      this.#bytes -= oldest.evictOldest();
      this.#live--;
      evicted++;
    }
    this.#compact();
    return evicted;
  }

  /** True (and one stale mark fewer) when this mark of `log` is for an event it already evicted. */
  #skipStale(log: TopicLog): boolean {
    const stale = this.#stale.get(log);
    if (stale === undefined) return false;
    if (stale === 1) this.#stale.delete(log);
    else this.#stale.set(log, stale - 1);
    return true;
  }

  /** Keeps #order within about twice the live events (and drops its consumed head). */
  #compact(): void {
    const marks = this.#order.length - this.#first;
    if (marks <= 2 * this.#live + COMPACT_SLACK_MARKS) {
      if (this.#first > COMPACT_SLACK_MARKS && this.#first * 2 > this.#order.length) {
        this.#order = this.#order.slice(this.#first);
        this.#first = 0;
      }
      return;
    }
    const kept: TopicLog[] = [];
    for (let i = this.#first; i < this.#order.length; i++) {
      const log = this.#order[i];
      if (!this.#skipStale(log)) kept.push(log);
    }
    this.#order = kept;
    this.#first = 0;
  }
}

/** Marks tolerated beyond the rule above before compacting, so small logs never compact. */
const COMPACT_SLACK_MARKS = 4096;
