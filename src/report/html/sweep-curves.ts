import type { MetricName } from '../../metrics/catalog.js';
import type { Transport } from '../../protocol/transports.js';
import type { SweepParam } from '../../result/types.js';
import type { ReportPhase } from './report-phases.js';
import { seriesStyle, type SeriesStyle } from './series-style.js';

/** One transport's figure at each value of a swept parameter. */
export interface SweepCurve {
  readonly fileIndex: number;
  readonly transport: Transport;
  /** "polling", "sse", "polling@1s"; prefixed "<file> · " when the report holds several files. */
  readonly label: string;
  readonly style: SeriesStyle;
  /** Ascending by `value`; `y` is the median over repeats, null when no repeat measured it. */
  readonly points: readonly { readonly value: number; readonly y: number | null }[];
}

/** A phase of a swept run that did not vary (an interval sweep runs long polling and SSE once): a flat line. */
export interface SweepReference {
  readonly fileIndex: number;
  readonly transport: Transport;
  readonly label: string;
  readonly style: SeriesStyle;
  readonly y: number | null;
}

/**
 * The curves of `metric` against the swept `param`: one per transport (and variant) per
 * file, its points the sweep values. Repeats of one value are folded into their median.
 * An interval sweep's variants are its values, so all polling phases make one curve.
 * Phases of the same files that carry no sweep become references.
 */
export function sweepCurves(phases: readonly ReportPhase[], param: SweepParam, metric: MetricName): { curves: SweepCurve[]; references: SweepReference[] } {
  const files = new Set(phases.filter((rp) => rp.phase.sweep?.param === param).map((rp) => rp.fileIndex));
  const groups = new Map<string, { fileIndex: number; transport: Transport; name: string; fileLabel: string; swept: boolean; byValue: Map<number, (number | null)[]> }>();
  for (const rp of phases) {
    if (!files.has(rp.fileIndex)) continue;
    const { phase } = rp;
    const swept = phase.sweep?.param === param;
    if (!swept && phase.sweep !== undefined) continue;
    const variant = swept && param === 'interval' ? undefined : phase.variant;
    const name = `${phase.transport}${variant ? `@${variant}` : ''}`;
    const id = `${rp.fileIndex}\u0000${swept}\u0000${name}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { fileIndex: rp.fileIndex, transport: phase.transport, name, fileLabel: rp.fileLabel, swept, byValue: new Map() };
      groups.set(id, group);
    }
    const value = swept ? phase.sweep!.value : 0;
    const values = group.byValue.get(value) ?? [];
    values.push(phase.metrics[metric] ?? null);
    group.byValue.set(value, values);
  }

  const several = new Set(phases.map((rp) => rp.fileIndex)).size > 1;
  const all = [...groups.values()];
  const shades = (g: (typeof all)[number]): SeriesStyle => {
    const sameHue = all.filter((o) => o.fileIndex === g.fileIndex && o.transport === g.transport);
    return seriesStyle(g.transport, g.fileIndex, sameHue.indexOf(g), sameHue.length);
  };
  const curves: SweepCurve[] = [];
  const references: SweepReference[] = [];
  for (const g of all) {
    const label = several ? `${g.fileLabel} · ${g.name}` : g.name;
    if (g.swept) {
      const points = [...g.byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, ys]) => ({ value, y: median(ys) }));
      curves.push({ fileIndex: g.fileIndex, transport: g.transport, label, style: shades(g), points });
    } else {
      references.push({ fileIndex: g.fileIndex, transport: g.transport, label, style: shades(g), y: median(g.byValue.get(0)!) });
    }
  }
  return { curves, references };
}

/** The sweep parameters the phases vary, in a fixed order. */
export function sweptParams(phases: readonly ReportPhase[]): SweepParam[] {
  const present = new Set(phases.map((rp) => rp.phase.sweep?.param).filter((p) => p !== undefined));
  return (['interval', 'clients', 'rate', 'payloadBytes'] as const).filter((p) => present.has(p));
}

/** Median of the measured values (written here: two lines, and repeats are few). */
function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
