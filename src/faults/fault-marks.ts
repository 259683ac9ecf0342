import type { FaultSpec } from '../config/types.js';
import { decodeHistogram, newHistogram } from '../metrics/histogram.js';
import type { FaultMark } from '../result/types.js';
import type { WorkerTick } from '../worker/messages.js';
import type { RestartRecord } from './restart-schedule.js';

/**
 * Where the phase's faults fell, in seconds from the phase's start (the time series' axis):
 * cuts and storms at their instants, stalls over their pause, restarts from the stop request
 * until the server answered again (as measured, not as scheduled). Shaped links and slow
 * readers last the whole phase and are not marked.
 */
export function faultMarks(faults: readonly FaultSpec[], phaseStartUs: number, windowStartUs: number | undefined, windowEndUs: number | undefined, restarts: readonly RestartRecord[]): FaultMark[] {
  if (windowStartUs === undefined || windowEndUs === undefined) return [];
  const s = (us: number): number => Math.round((us - phaseStartUs) / 1000) / 1000;
  const marks: FaultMark[] = [];
  for (const fault of faults) {
    if (fault.kind === 'cut') {
      const label = `cut ${fault.share < 1 ? `${Math.round(fault.share * 100)}% ` : ''}${fault.mode}`;
      if (fault.atUs !== undefined) marks.push({ kind: 'cut', atS: s(windowStartUs + fault.atUs), label });
      if (fault.everyUs !== undefined) for (let at = windowStartUs + fault.everyUs; at < windowEndUs; at += fault.everyUs) marks.push({ kind: 'cut', atS: s(at), label });
    } else if (fault.kind === 'storm') {
      marks.push({ kind: 'storm', atS: s(windowStartUs + fault.atUs), label: `storm ${fault.mode}` });
    } else if (fault.kind === 'stall') {
      marks.push({ kind: 'stall', atS: s(windowStartUs + fault.atUs), untilS: s(windowStartUs + fault.atUs + fault.forUs), label: 'stall' });
    }
  }
  for (const r of restarts) marks.push({ kind: 'restart', atS: s(r.askedUs), untilS: s(r.upUs), label: r.handover !== undefined ? `restart, log ${r.log === 'keep' ? 'kept' : 'lost'}` : 'restart' });
  return marks.sort((a, b) => a.atS - b.atS);
}

/** Without a measured recovery, a fault's effects are counted as "during" for this long after it ends. */
export const FAULT_TAIL_S = 1;

/** Latency inside the faults' seconds and outside them (see faultSeconds). */
export interface FaultSplit {
  p50During: number | null;
  p99During: number | null;
  p50Outside: number | null;
  p99Outside: number | null;
}

/**
 * The window's seconds (indexes from the phase's start) that a fault touched: from the
 * second it began until the phase's slowest recovery had passed (`recoveryMaxUs`, from a
 * fault's start to the last client's first event after it; the fault's own end if later),
 * or FAULT_TAIL_S after its end when no recovery was measured.
 */
export function faultSeconds(marks: readonly FaultMark[], windowSeconds: readonly number[], recoveryMaxUs: number | null): Set<number> {
  const during = new Set<number>();
  const over = (m: FaultMark): number => (recoveryMaxUs !== null ? Math.max(m.untilS ?? m.atS, m.atS + recoveryMaxUs / 1e6) : (m.untilS ?? m.atS) + FAULT_TAIL_S);
  for (const second of windowSeconds) {
    if (marks.some((m) => second + 1 > m.atS && second < over(m))) during.add(second);
  }
  return during;
}

/**
 * Delivery latency over the window's seconds a fault touched and over the others, from the
 * per-second histograms (every event received in that second, over every worker). Null for
 * a side with no events — never 0.
 */
export function splitLatency(ticks: readonly (readonly (WorkerTick | undefined)[])[], windowSeconds: readonly number[], during: ReadonlySet<number>): FaultSplit {
  const inside = newHistogram();
  const outside = newHistogram();
  for (const second of windowSeconds) {
    const into = during.has(second) ? inside : outside;
    for (const worker of ticks) {
      const tick = worker[second];
      if (tick !== undefined) into.add(decodeHistogram(tick.secondLatency));
    }
  }
  const at = (h: typeof inside, p: number): number | null => (h.totalCount > 0 ? h.getValueAtPercentile(p) : null);
  return { p50During: at(inside, 50), p99During: at(inside, 99), p50Outside: at(outside, 50), p99Outside: at(outside, 99) };
}
