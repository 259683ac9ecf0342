import { nowUs } from '../clock.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';

export interface GeneratorSample {
  atUs: number;
  /** CPU of the whole generator process (every thread), µs since it started. */
  cpuUs: number;
  /** The main thread's (publisher, monitors) loop delay over the last second. */
  loopDelayP99Us: number;
}

/** rtbench's own load: when the generator saturates, its latency figures are inflated. */
export class GeneratorMonitor {
  readonly #load = new ProcessLoadSampler();

  start(): void {
    this.#load.start();
  }

  stop(): void {
    this.#load.stop();
  }

  sample(): GeneratorSample {
    const s = this.#load.sample();
    return { atUs: nowUs(), cpuUs: s.cpuUserUs + s.cpuSystemUs, loopDelayP99Us: s.loopDelay.p99Us };
  }
}
