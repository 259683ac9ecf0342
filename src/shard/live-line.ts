import { formatCount, formatDurationUs } from '../format.js';
import { mergeEncoded, summarise } from '../metrics/histogram.js';
import type { SecondRecord } from '../runner/progress.js';

/** One line over every shard's latest second: connected, events/s, and p99 from the shards' histograms of that second, merged. */
export function liveLine(phase: number, seconds: readonly (SecondRecord | undefined)[], latencies: readonly (string | undefined)[]): string {
  const present = seconds.filter((s): s is SecondRecord => s !== undefined);
  const connected = present.reduce((n, s) => n + s.connected, 0);
  const delivered = present.reduce((n, s) => n + s.delivered, 0);
  const latency = summarise(mergeEncoded(latencies.filter((l): l is string => l !== undefined)));
  const first = present[0];
  return `phase ${phase}${first !== undefined ? ` ${first.phase} · ${first.stage}` : ''} · ${present.length}/${seconds.length} shards · ${formatCount(connected)} connected · ${formatCount(delivered)} events/s · p99 ${formatDurationUs(latency.p99)}`;
}
