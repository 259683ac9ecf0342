import type { ErrorCode } from '../errors.js';
import type { GeneratorSample } from '../monitors/generator-monitor.js';
import type { ServerSample } from '../monitors/server-sample.js';
import type { PublishReport } from '../publisher/publish-report.js';
import type { WorkerFinal, WorkerTick } from '../worker/messages.js';
import type { FaultMark, PhaseParams } from '../result/types.js';
import type { PhasePlan } from './plan.js';
import type { RestartRecord } from '../faults/restart-schedule.js';

/** Moments of a phase on the runner's clock (µs). Undefined when the phase never got there. */
export interface PhaseTimeline {
  phaseStartUs: number;
  connectedUs?: number;
  publishStartUs?: number;
  windowStartUs?: number;
  windowEndUs?: number;
  endUs?: number;
}

/** Everything measured during one phase, as plain data; summarise.ts turns it into a PhaseResult. */
export interface PhaseRecording {
  plan: PhasePlan;
  params: PhaseParams;
  workers: number;
  warmupUs: number;
  durationUs: number;
  timeline: PhaseTimeline;
  /** Per worker, per second. */
  ticks: WorkerTick[][];
  finals: WorkerFinal[];
  /** What was published: the broadcast publisher's report, or every rooms publisher's added up. */
  published?: PublishReport;
  serverSource: 'metrics' | 'proc' | 'none';
  serverBaseline?: ServerSample;
  serverAtWindowStart?: ServerSample;
  serverAtWindowEnd?: ServerSample;
  serverSamples: ServerSample[];
  /** The profile's stats-page counters at the window's end. */
  serverStats?: Record<string, number | null>;
  generatorAtWindowStart?: GeneratorSample;
  generatorAtWindowEnd?: GeneratorSample;
  generatorSamples: GeneratorSample[];
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  /** Why the phase failed, as a code: the run's exit status follows from it. */
  errorCode?: ErrorCode;
  warnings: string[];
  /** The restart faults as they happened. */
  restarts?: RestartRecord[];
  /** Every fault's place on the timeline (fault-marks.ts). */
  faultMarks?: FaultMark[];
}

export function newRecording(plan: PhasePlan, params: PhaseParams, phaseStartUs: number): PhaseRecording {
  return {
    plan,
    params,
    workers: params.workers,
    warmupUs: params.warmupUs,
    durationUs: params.durationUs,
    timeline: { phaseStartUs },
    ticks: Array.from({ length: params.workers }, () => []),
    finals: [],
    serverSource: 'none',
    serverSamples: [],
    generatorSamples: [],
    status: 'complete',
    warnings: [],
  };
}
