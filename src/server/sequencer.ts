import type { EventBatch, SubmitBatch } from './cluster-messages.js';

/**
 * The primary's numbering of a multi-process server's events: each topic's next id, and the
 * numbered events of one event-loop turn broadcast to every worker in one message each.
 * Holds no events, only each topic's last id.
 */
export class EventSequencer {
  readonly #heads = new Map<string, number>();
  readonly #broadcast: (batch: EventBatch) => void;
  #out: EventBatch = [];
  #flushScheduled: NodeJS.Immediate | undefined;
  #sealed = false;

  /** `heads`: each topic's last id so far (a server continuing handed-over logs); new topics start at 1. */
  constructor(broadcast: (batch: EventBatch) => void, heads: ReadonlyMap<string, number> = new Map()) {
    this.#broadcast = broadcast;
    for (const [topic, head] of heads) this.#heads.set(topic, head);
  }

  /** Numbers a worker's batch of publishes (SequencerClient), in the order it sent them; nothing once sealed. */
  accept(origin: number, batch: SubmitBatch): void {
    if (this.#sealed) return;
    for (let i = 0; i < batch.length; i += 4) {
      const topic = batch[i + 1] as string;
      const id = (this.#heads.get(topic) ?? 0) + 1;
      this.#heads.set(topic, id);
      this.#out.push(topic, id, batch[i + 2] as string, batch[i + 3] as number, origin, batch[i] as number);
    }
    this.#flushScheduled ??= setImmediate(this.#flush);
  }

  /**
   * Broadcasts what is numbered now and numbers nothing more (a hand-over): every event with
   * an id is then on its way to every worker, ahead of whatever is sent to them next. A
   * publish arriving later is never answered, as one arriving at a stopped server.
   */
  seal(): void {
    if (this.#sealed) return;
    this.#sealed = true;
    if (this.#flushScheduled !== undefined) {
      clearImmediate(this.#flushScheduled);
      this.#flush();
    }
  }

  /** Stops a scheduled broadcast (shutdown). */
  cancel(): void {
    if (this.#flushScheduled !== undefined) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = undefined;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = undefined;
    const batch = this.#out;
    this.#out = [];
    this.#broadcast(batch);
  };
}
