import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay monitor resolution: the timer fires this often. */
const RESOLUTION_MS = 10;
const RESOLUTION_NS = RESOLUTION_MS * 1e6;

export interface LoopDelaySummary {
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

export interface ProcessLoad {
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  /** Highest RSS since the process started (getrusage ru_maxrss). */
  rssPeakBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Cumulative event-loop time; utilisation over an interval is Δactive / (Δactive + Δidle). */
  loopActiveMs: number;
  loopIdleMs: number;
  loopUtilization: number;
  /** Event-loop delay over the last complete second. */
  loopDelay: LoopDelaySummary;
  /** Event-loop delay since the process started. */
  loopDelaySinceStart: LoopDelaySummary;
}

/**
 * Load of the current process: CPU, memory, event-loop utilisation and delay. Two delay
 * monitors sample every 10 ms: one is never reset (since start), the other is summarised
 * and reset each second, so a reader polling once a second sees that second.
 * (Node cannot add an event-loop-delay histogram into another, hence two.)
 */
export class ProcessLoadSampler {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #sinceStart: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  #lastSecond: LoopDelaySummary = { p50Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 };
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    this.#delay.enable();
    this.#sinceStart.enable();
    this.#timer = setInterval(() => this.#roll(), 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#delay.disable();
    this.#sinceStart.disable();
  }

  sample(): ProcessLoad {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const elu = performance.eventLoopUtilization();
    return {
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: memory.rss,
      rssPeakBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      loopActiveMs: elu.active,
      loopIdleMs: elu.idle,
      loopUtilization: elu.utilization,
      loopDelay: this.#lastSecond,
      loopDelaySinceStart: summarise(this.#sinceStart),
    };
  }

  #roll(): void {
    this.#lastSecond = summarise(this.#delay);
    this.#delay.reset();
  }
}

/**
 * Node's monitor records the time between its timer's firings, so an idle loop reads about
 * the 10 ms resolution; the delay is what exceeds it.
 */
function summarise(h: IntervalHistogram): LoopDelaySummary {
  if (h.count === 0) return { p50Us: 0, p99Us: 0, maxUs: 0, meanUs: 0 };
  const us = (ns: number): number => Math.max(0, Math.round((ns - RESOLUTION_NS) / 1000));
  return { p50Us: us(h.percentile(50)), p99Us: us(h.percentile(99)), maxUs: us(h.max), meanUs: us(h.mean) };
}
