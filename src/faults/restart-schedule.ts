import { nowUs, sleep } from '../clock.js';
import type { FaultSpec } from '../config/types.js';
import { originKey } from '../protocol/event.js';
import type { PhaseTarget } from '../runner/target.js';
import type { RestartOutcome } from './server-restart.js';

type RestartFault = Extract<FaultSpec, { kind: 'restart' }>;

/** One restart of a phase, as it happened (runner clock, µs). */
export interface RestartRecord extends RestartOutcome {
  readonly log: 'keep' | 'lose';
  /** Publishes that failed from the stop request until the server answered again (they are not published: expected excludes them). */
  readonly publishErrors: number;
}

export interface RestartHooks {
  /** Publishes refused so far, however the phase publishes. */
  readonly publishErrors: () => number;
  /** How often publishErrors can change: the refusals have stopped when it did not over this long. */
  readonly settleMs: number;
  readonly onBegin: (atUs: number) => void;
  readonly onError: (error: unknown) => void;
}

/** However long refusals go on after the server is back, only this long counts as the restart's. */
const MAX_SETTLE_MS = 10_000;

/**
 * The refusal count once refusals have stopped after a restart: the server is back and —
 * when clients publish over their own connections (rooms) — each has reconnected. Waits
 * until the count holds still over `settleMs`, at most MAX_SETTLE_MS.
 */
async function refusalsSettled(hooks: RestartHooks): Promise<number> {
  const deadline = nowUs() + MAX_SETTLE_MS * 1000;
  let count = hooks.publishErrors();
  for (;;) {
    await sleep(hooks.settleMs);
    const next = hooks.publishErrors();
    if (next === count || nowUs() >= deadline) return next;
    count = next;
  }
}

/** Per stream: the last seq a server that then lost its log had accepted (see lostLogThrough). */
export interface LostLogMark {
  readonly originKey: number;
  readonly topicIndex: number;
  readonly seq: number;
}


/**
 * The scenario's restarts, timed from the window's start, run one after another (a restart
 * due while one is under way waits for it). `onBegin(askedUs)` is called once the old server
 * is gone (a --target command: when it starts): every client's connection has ended, and its
 * recovery is timed from the stop request to its first event after that moment — the events
 * a closing server still flushes do not count as a recovery.
 *
 * The rule for publishes (DESIGN §4, README "Faults"): a publish that fails while the server
 * is restarting was not published. It is refused like any other failed publish — expected
 * excludes its seq, a delivery of it would be "unexpected" — and the refusals from the stop
 * request until they stop again (the server back, and clients that publish on their own
 * connections reconnected) are counted here, so they do not count against the phase's 1 %
 * limit on refused publishes. The publisher does not retry: a retry policy is the
 * application's, and a retried event would come back out of order behind later ones.
 */
export class RestartSchedule {
  readonly records: RestartRecord[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #chain: Promise<void> = Promise.resolve();
  #cancelled = false;

  constructor(
    faults: readonly FaultSpec[],
    target: PhaseTarget,
    windowStartUs: number,
    hooks: RestartHooks,
  ) {
    for (const fault of faults) {
      if (fault.kind !== 'restart') continue;
      const run = (): void => {
        this.#chain = this.#chain.then(() => this.#restart(fault, target, hooks));
      };
      this.#timers.push(setTimeout(run, Math.max(0, (windowStartUs + fault.atUs - nowUs()) / 1000)));
    }
  }

  async #restart(fault: RestartFault, target: PhaseTarget, hooks: RestartHooks): Promise<void> {
    if (this.#cancelled) return;
    const errorsBefore = hooks.publishErrors();
    try {
      const outcome = await target.restart(fault, hooks.onBegin);
      this.records.push({ ...outcome, log: fault.log, publishErrors: (await refusalsSettled(hooks)) - errorsBefore });
    } catch (error) {
      hooks.onError(error);
    }
  }

  /** Publishes refused during every restart together. */
  get publishErrors(): number {
    return this.records.reduce((n, r) => n + r.publishErrors, 0);
  }

  /**
   * Per stream, the last seq accepted by a server whose log was then lost (the latest such
   * restart's, from the server's own handover): every seq up to it that a subscriber had not
   * received when that server stopped can never arrive. `topics` are the phase's topic names
   * (their index is the stream's topicIndex).
   */
  lostLogThrough(topics: readonly string[]): LostLogMark[] {
    const marks = new Map<string, LostLogMark>();
    for (const record of this.records) {
      if (record.log !== 'lose' || record.handover === undefined) continue;
      for (const t of record.handover.topics) {
        const topicIndex = topics.indexOf(t.topic);
        if (topicIndex < 0) continue;
        for (const [origin, seq] of Object.entries(t.lastSeqs)) {
          const key = originKey(origin);
          if (Number.isNaN(key)) continue;
          const id = `${key}/${topicIndex}`;
          if ((marks.get(id)?.seq ?? 0) < seq) marks.set(id, { originKey: key, topicIndex, seq });
        }
      }
    }
    return [...marks.values()];
  }

  /** Resolves when no restart is under way (the one running, if any, has finished). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Cancels the restarts not yet begun. */
  cancel(): void {
    this.#cancelled = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }
}
