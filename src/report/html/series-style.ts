import type { Transport } from '../../protocol/transports.js';

/**
 * One hue per transport, the same in every chart of every report: a reader learns the
 * colours once. Several phases of one transport in one file (polling intervals, sweep
 * values, repeats) get lighter shades of its hue; each further result file gets its own
 * dash pattern, so "before" and "after" differ in line style, never in colour.
 */
export const TRANSPORT_COLORS: Readonly<Record<Transport, string>> = {
  polling: '#d9480f',
  'long-polling': '#7048e8',
  sse: '#2b8a3e',
  ws: '#1c7ed6',
};

/** Line dash per result file: solid, dashed, dotted, dash-dot, then around again. */
const FILE_DASHES: readonly (readonly number[])[] = [[], [7, 4], [2, 3], [10, 3, 2, 3]];
/** The nearest CSS border style of each dash, for the page's key. */
const FILE_LINE_CSS = ['solid', 'dashed', 'dotted', 'dashed'] as const;

export interface SeriesStyle {
  /** Line and bar-border colour, `#rrggbb`. */
  readonly color: string;
  /** Bar fill: the colour, translucent for every file after the first. */
  readonly fill: string;
  readonly dash: readonly number[];
}

/**
 * The style of the `shade`-th of `shades` series of `transport` in result file `fileIndex`.
 * Shade 0 is the transport's own colour; later shades move towards white, at most 55 %.
 */
export function seriesStyle(transport: Transport, fileIndex = 0, shade = 0, shades = 1): SeriesStyle {
  const towardsWhite = shades > 1 ? (0.55 * shade) / (shades - 1) : 0;
  const color = mixWithWhite(TRANSPORT_COLORS[transport], towardsWhite);
  return {
    color,
    fill: fileIndex === 0 ? color : `${color}55`,
    dash: FILE_DASHES[fileIndex % FILE_DASHES.length],
  };
}

function mixWithWhite(hex: string, amount: number): string {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${channels.map((c) => Math.round(c + (255 - c) * amount).toString(16).padStart(2, '0')).join('')}`;
}

/** The CSS border style that draws result file `fileIndex`'s dash in HTML. */
export function fileLineCss(fileIndex: number): string {
  return FILE_LINE_CSS[fileIndex % FILE_LINE_CSS.length];
}
