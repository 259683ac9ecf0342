import type { RunConfig } from '../config/types.js';
import { rtbError, type RtbError } from '../errors.js';
import type { RunResult } from '../result/types.js';
import { planPhases } from '../runner/plan.js';
import { encodeHistogram } from '../metrics/histogram.js';
import type { SecondDetail, SecondRecord } from '../runner/progress.js';
import type { RunOutcome } from '../runner/run.js';
import { CoordinatorLink } from './coordinator-link.js';

/**
 * A shard run under a coordinator (`run --shard i/N --coordinator URL`), seen from `run`:
 * join before anything runs, wait at each phase's barrier, stream the seconds, hand in the
 * result. A coordinator that aborts or goes away stops the run (through `controller`) and
 * becomes the run's failure.
 */
export class ShardSession {
  readonly #link: CoordinatorLink;
  #phase = 0;
  #lost: RtbError | undefined;

  private constructor(link: CoordinatorLink, controller: AbortController) {
    this.#link = link;
    link.onLost = (error) => {
      this.#lost = error;
      controller.abort();
    };
  }

  /** Joins the coordinator, or returns undefined without `--coordinator`. Throws RTB_ERR_COORDINATOR / RTB_ERR_USAGE. */
  static async open(config: RunConfig, coordinator: string | undefined, joinTimeoutMs: number, controller: AbortController): Promise<ShardSession | undefined> {
    if (coordinator === undefined) return undefined;
    const shard = config.shard;
    if (shard === undefined) throw rtbError('RTB_ERR_USAGE', '--coordinator: only shards have a coordinator; give --shard i/N too');
    const url = coordinator.replace(/^http(s?):\/\//, 'ws$1://');
    if (!/^wss?:\/\/[^/]+/.test(url)) throw rtbError('RTB_ERR_USAGE', `--coordinator: expected a URL such as ws://127.0.0.1:7070; found ${JSON.stringify(coordinator)}`);
    const link = await CoordinatorLink.join(
      url,
      {
        index: shard.index,
        count: shard.count,
        runId: shard.runId,
        scenario: config.scenario.name,
        seed: config.seed,
        phases: planPhases(config).length,
        // As the result records it: the merge and the coordinator compare the same thing.
        config: JSON.parse(JSON.stringify({ ...config, profile: { name: config.profile.name, source: config.profile.source } })) as Record<string, unknown>,
      },
      joinTimeoutMs,
    );
    return new ShardSession(link, controller);
  }

  readonly beforePhase = async (number: number): Promise<void> => {
    await this.#link.beforePhase(number);
    this.#phase = number;
  };

  second(record: SecondRecord, detail: SecondDetail): void {
    this.#link.second(this.#phase, record, encodeHistogram(detail.latency));
  }

  /** A coordinator that went away or aborted is why the run stopped, not Ctrl-C. */
  settle(outcome: RunOutcome): void {
    if (this.#lost === undefined) return;
    outcome.failure = this.#lost;
    outcome.result.status = 'partial';
    outcome.result.interruption = { reason: 'failed', message: this.#lost.message };
  }

  async handIn(result: RunResult): Promise<void> {
    await this.#link.finish(result);
  }
}
