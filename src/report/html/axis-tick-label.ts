/**
 * The label of one value tick that Chart.js picked: `format(value, step)`, except that a
 * zero tick is written in the unit of its nearest neighbour on the axis — "0 ms" under
 * "2.00 ms", not "0 µs"; "0 KiB" under "512 KiB"; but "0 µs" under "500 µs" and "1.00 ms".
 * Every other label keeps its own unit.
 *
 * Runs in the page (its source is inlined by browser-format.ts), so it is self-contained:
 * no imports, no other functions.
 *
 * @param format one of format.ts's formatters (value, step) → text, such as "2.00 ms"
 * @param tickValues every tick value on the axis
 */
export function axisTickLabel(format: (value: number, step: number) => string, value: number, step: number, tickValues: readonly number[]): string {
  const label = format(value, step);
  if (value !== 0) return label;
  let nearest = 0;
  for (const v of tickValues) if (v !== 0 && (nearest === 0 || Math.abs(v) < Math.abs(nearest))) nearest = v;
  if (nearest === 0) return label;
  // "2.00 ms" → separator " ", unit "ms"; "12%" → "", "%"; a bare count has no unit and keeps "0".
  const parts = /^[-+]?[\d.,]+(\s*)(\S.*)?$/.exec(format(nearest, step));
  return parts !== null && parts[2] !== undefined ? `0${parts[1]}${parts[2]}` : label;
}
