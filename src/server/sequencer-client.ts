import type { Hub, Sequencer } from './hub.js';
import type { EventBatch, SubmitBatch, WorkerToPrimary } from './cluster-messages.js';

/**
 * A worker's side of the one numbering of a multi-process server: publishes of one
 * event-loop turn go to the primary in one message; the numbered events come back (to every
 * worker) and are logged here with their ids, and the publishes this worker received are
 * answered. Costs each publish one IPC round trip before its answer and its fan-out.
 */
export class SequencerClient implements Sequencer {
  readonly #send: (message: WorkerToPrimary) => void;
  readonly #workerId: number;
  readonly #answers = new Map<number, (id: number) => void>();
  #out: SubmitBatch = [];
  #flushScheduled: NodeJS.Immediate | undefined;
  #nextRequest = 1;
  #hub: Hub | undefined;
  /** Batches that arrived before bind(): a worker still loading handed-over logs. */
  #early: EventBatch[] = [];

  /** `workerId`: this worker's cluster id, which the primary names as each event's origin. */
  constructor(workerId: number, send: (message: WorkerToPrimary) => void) {
    this.#workerId = workerId;
    this.#send = send;
  }

  bind(hub: Hub): void {
    this.#hub = hub;
    for (const batch of this.#early) this.receive(batch);
    this.#early = [];
  }

  submit(topic: string, body: string, bodyIsEmpty: boolean, answer: ((id: number) => void) | undefined): void {
    let request = 0;
    if (answer !== undefined) {
      request = this.#nextRequest++;
      this.#answers.set(request, answer);
    }
    this.#out.push(request, topic, body, bodyIsEmpty ? 1 : 0);
    this.#flushScheduled ??= setImmediate(this.#flush);
  }

  /** Logs a batch of numbered events (in order) and answers this worker's publishes among them. */
  receive(batch: EventBatch): void {
    const hub = this.#hub;
    if (hub === undefined) {
      this.#early.push(batch);
      return;
    }
    for (let i = 0; i < batch.length; i += 6) {
      const id = batch[i + 1] as number;
      hub.appendSequenced(batch[i] as string, id, batch[i + 2] as string, batch[i + 3] === 1);
      if (batch[i + 4] === this.#workerId && batch[i + 5] !== 0) {
        const request = batch[i + 5] as number;
        const answer = this.#answers.get(request);
        this.#answers.delete(request);
        answer?.(id);
      }
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = undefined;
    const batch = this.#out;
    this.#out = [];
    this.#send({ type: 'submit', batch });
  };
}
