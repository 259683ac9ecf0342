import { describe, expect, it } from 'vitest';
import { encodeHistogram, newHistogram } from '../../src/metrics/histogram.js';
import type { GeneratorSample } from '../../src/monitors/generator-monitor.js';
import type { PhasePlan } from '../../src/runner/plan.js';
import { newRecording, type PhaseRecording } from '../../src/runner/phase-recording.js';
import { summarisePhase } from '../../src/runner/summarise.js';
import type { CounterSnapshot, WorkerFinal, WorkerTick } from '../../src/worker/messages.js';

const S = 1_000_000;

/** A recording of a 10 s window (seconds 2–12 of the phase) as the runner would hand it over. */
function recording(options: { transport?: 'polling' | 'sse'; utilization: number; loopDelayP99Us: number; machineBusy: number; missedPolls?: number; serverSampleEveryS?: number[]; cpuShare?: number }): PhaseRecording {
  const transport = options.transport ?? 'sse';
  const plan = { key: transport, transport, repeat: 1, clients: 10, ratePerS: 10, ratePer: 'topic', payloadBytes: 64, topics: 1, client: { transport }, drainUs: S, seed: 1 } as PhasePlan;
  const rec = newRecording(plan, { pattern: 'broadcast', clients: 10, topics: 1, rate: 10, arrival: 'poisson', payloadBytes: 64, durationUs: 10 * S, warmupUs: S, drainUs: S, workers: 1, seed: 1 }, 0);
  Object.assign(rec.timeline, { connectedUs: S, publishStartUs: S, windowStartUs: 2 * S, windowEndUs: 12 * S, endUs: 13 * S });
  const counters = (second: number): CounterSnapshot => ({ requests: 40 * second, missedPolls: Math.round(((options.missedPolls ?? 0) * second) / 12), emptyResponses: 0, received: 100 * second, bytesDown: 15_000 * second, bytesUp: 0, publishRequests: 0, publishErrors: 0 });
  rec.ticks[0] = Array.from({ length: 13 }, (_, second): WorkerTick => ({ type: 'tick', second, connected: 10, everConnected: 10, counters: counters(second + 1), secondLatency: encodeHistogram(newHistogram()), utilization: options.utilization, loopDelayP99Us: options.loopDelayP99Us, delivered: 0, ...(options.cpuShare !== undefined ? { cpuShare: options.cpuShare } : {}) }));
  const generator = (atUs: number, fraction: number): GeneratorSample => ({ atUs, cpuUs: atUs / 10, loopDelayP99Us: 1000, machineBusyMs: (fraction * 2 * atUs) / 1000, machineTotalMs: (2 * atUs) / 1000 });
  rec.generatorAtWindowStart = generator(2 * S, 0);
  rec.generatorAtWindowEnd = { ...generator(12 * S, 0), machineBusyMs: rec.generatorAtWindowStart.machineBusyMs + options.machineBusy * 20_000, machineTotalMs: rec.generatorAtWindowStart.machineTotalMs + 20_000 };
  rec.serverSource = 'metrics';
  rec.serverSamples = (options.serverSampleEveryS ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).map((s) => ({ atUs: s * S + 1000, cpuUs: s * 10_000, rssBytes: 50e6 }));
  const final: WorkerFinal = {
    type: 'final', latency: encodeHistogram(newHistogram()), connect: encodeHistogram(newHistogram()), recovery: encodeHistogram(newHistogram()), cuts: 0, expectationsKnown: true, expected: 1000, delivered: 1000, lost: 0, unexpected: 0,
    duplicated: 0, outOfOrder: 0, gaps: 0, protocolErrors: 0, otherMessages: 0, connectErrors: 0, requestErrors: 0, reconnects: 0, connected: 10, everConnected: 10,
    windowStart: counters(2), windowEnd: counters(12),
  };
  rec.finals = [final];
  return rec;
}

describe('summarisePhase: honest warnings from the run\'s own record', () => {
  it('a slow loop with a busy client thread: rtbench saturated, and it says to add workers', () => {
    const phase = summarisePhase(recording({ utilization: 0.95, loopDelayP99Us: 80_000, machineBusy: 0.97 }));
    expect(phase.generatorSaturated).toBe(true);
    expect(phase.warnings.join('\n')).toMatch(/The load generator was saturated \(busiest client thread 95% busy.*use more --workers/);
  });

  it('a slow loop with an idle client thread on a busy machine: the machine, not rtbench — no advice to add workers', () => {
    const phase = summarisePhase(recording({ utilization: 0.04, loopDelayP99Us: 62_000, machineBusy: 0.96 }));
    expect(phase.generatorSaturated).toBe(false);
    const text = phase.warnings.join('\n');
    expect(text).toMatch(/The machine was busy, not rtbench: its client threads were at most 4% busy, yet their loop delay p99 was 62\.0 ms with the machine's CPUs 96% busy/);
    expect(text).not.toMatch(/--workers/);
  });

  it('a quiet loop: no warning either way', () => {
    const phase = summarisePhase(recording({ utilization: 0.3, loopDelayP99Us: 2_000, machineBusy: 0.9 }));
    expect(phase.generatorSaturated).toBe(false);
    expect(phase.warnings.filter((w) => /saturated|machine was busy/.test(w))).toEqual([]);
  });

  it('polls the schedule wanted but the clients did not make are counted and reported', () => {
    const phase = summarisePhase(recording({ transport: 'polling', utilization: 0.2, loopDelayP99Us: 1_000, machineBusy: 0.2, missedPolls: 36 }));
    // Window: seconds 2–12 → 400 polls made, 30 slots missed.
    expect(phase.pollsScheduled).toBe(430);
    expect(phase.warnings.join('\n')).toContain('Polls made 400 of 430 scheduled: 30 slots passed');
  });

  it('a stall of the server: its own samples stopped, and the warning says for how long', () => {
    const phase = summarisePhase(recording({ utilization: 0.2, loopDelayP99Us: 1_000, machineBusy: 0.2, serverSampleEveryS: [1, 2, 3, 4, 8, 9, 10, 11, 12, 13] }));
    expect(phase.warnings.join('\n')).toMatch(/The server's own load samples stopped for 4\.00 s during the window/);
    const steady = summarisePhase(recording({ utilization: 0.2, loopDelayP99Us: 1_000, machineBusy: 0.2 }));
    expect(steady.warnings.join('\n')).not.toMatch(/stopped/);
  });

  it("with the threads' own CPU known, busy means a core's worth: a full loop waiting for a CPU is not saturation", () => {
    // Event-loop utilisation 95 % (it counts waiting for a CPU), but the thread used 30 % of a core.
    const waiting = summarisePhase(recording({ utilization: 0.95, loopDelayP99Us: 80_000, machineBusy: 0.97, cpuShare: 0.3 }));
    expect(waiting.generatorSaturated).toBe(false);
    expect(waiting.metrics['generator.thread_cpu']).toBeCloseTo(0.3, 5);
    expect(waiting.warnings.join('\n')).toMatch(/The machine was busy, not rtbench: its client threads were at most 30% of a core/);
    // A thread at 95 % of a core is the limit, whatever the loop delay.
    const full = summarisePhase(recording({ utilization: 0.96, loopDelayP99Us: 3_000, machineBusy: 0.6, cpuShare: 0.95 }));
    expect(full.generatorSaturated).toBe(true);
    expect(full.warnings.join('\n')).toMatch(/The load generator was saturated \(busiest client thread at 95% of a core/);
    // Unknown (no thread could tell): the figure is null, not 0, and the old rule applies.
    expect(summarisePhase(recording({ utilization: 0.3, loopDelayP99Us: 2_000, machineBusy: 0.2 })).metrics['generator.thread_cpu']).toBeNull();
  });
});
