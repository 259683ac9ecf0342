import { cpus } from 'node:os';
import { nowUs } from '../clock.js';
import { ProcessLoadSampler } from '../metrics/process-load.js';

export interface GeneratorSample {
  atUs: number;
  /** CPU of the whole generator process (every thread), µs since it started. */
  cpuUs: number;
  /** The main thread's (publisher, monitors) loop delay over the last second. */
  loopDelayP99Us: number;
  /** The whole machine's CPU time since boot, busy and in all, ms summed over every core (os.cpus()). */
  machineBusyMs: number;
  machineTotalMs: number;
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
    let busy = 0;
    let total = 0;
    for (const cpu of cpus()) {
      const t = cpu.times;
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    return { atUs: nowUs(), cpuUs: s.cpuUserUs + s.cpuSystemUs, loopDelayP99Us: s.loopDelay.p99Us, machineBusyMs: busy, machineTotalMs: total };
  }
}
