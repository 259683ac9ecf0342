import type { GeneratorSample } from '../monitors/generator-monitor.js';
import type { ServerSample } from '../monitors/server-sample.js';
import type { PublisherReport } from '../publisher/publisher.js';
import type { UpstreamReport, WorkerFinal, WorkerTick } from '../worker/messages.js';
import type { PhaseParams } from '../result/types.js';
import type { PhasePlan } from './plan.js';

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
  publisher?: PublisherReport;
  upstream?: UpstreamReport[];
  serverSource: 'metrics' | 'proc' | 'none';
  serverBaseline?: ServerSample;
  serverAtWindowStart?: ServerSample;
  serverAtWindowEnd?: ServerSample;
  serverSamples: ServerSample[];
  generatorAtWindowStart?: GeneratorSample;
  generatorAtWindowEnd?: GeneratorSample;
  generatorSamples: GeneratorSample[];
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  warnings: string[];
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
