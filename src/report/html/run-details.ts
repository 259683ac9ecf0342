import { formatBytes, formatCount, formatDurationUs, formatRatio } from '../../format.js';
import type { RunResult } from '../../result/types.js';
import { escapeHtml } from './html-escape.js';

/**
 * One result file's context: the scenario, when and where it ran (tool, Node, OS, CPUs,
 * memory), the target, and the resolved config as a readable list with the raw JSON behind
 * a disclosure.
 */
export function renderRunDetails(result: RunResult, fileLabel: string | undefined): string {
  const env = result.environment;
  const runMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  const about: [string, string][] = [
    ['scenario', `${result.scenario.name}${result.scenario.file ? ` (${result.scenario.file})` : ''}`],
    ['description', result.scenario.description],
    ['started', result.startedAt],
    ['took', Number.isFinite(runMs) ? formatDurationUs(runMs * 1000) : '–'],
    ['status', result.status + (result.interruption ? `: ${result.interruption.message}` : '')],
    ['target', result.target.kind === 'reference' ? 'reference server (child process)' : (result.target.url ?? 'external')],
    ['rtbench', result.tool.version],
  ];
  const machine: [string, string][] = [
    ['Node.js', env.node],
    ['OS', `${env.platform} ${env.arch}, ${env.osRelease}`],
    ['CPU', `${formatCount(env.cpus)} × ${env.cpuModel}`],
    ['memory', formatBytes(env.memoryBytes)],
    ['host', env.hostname],
  ];
  const config = configEntries(result.config);
  return `<section class="card details">
<h3>${escapeHtml(fileLabel ? `${fileLabel}: ${result.scenario.name}` : `Run: ${result.scenario.name}`)}</h3>
<div class="details-grid">
${definitionList('Run', about)}
${definitionList('Environment', machine)}
${definitionList('Configuration', config)}
</div>
<details><summary>Resolved configuration as JSON</summary><pre>${escapeHtml(JSON.stringify(result.config, null, 2))}</pre></details>
</section>`;
}

function definitionList(title: string, entries: readonly [string, string][]): string {
  const items = entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  return `<div><h4>${escapeHtml(title)}</h4><dl>${items}</dl></div>`;
}

/**
 * The config as "path: value" lines, leaving out the scenario (shown above). Values are
 * read by their names' units: `…Us` µs, `…Ms` ms, `…Bytes` bytes; a list of objects
 * (the transports) is one line per object.
 */
export function configEntries(config: Record<string, unknown>, prefix = ''): [string, string][] {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (prefix === '' && key === 'scenario') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
      if (value.length === 0) entries.push([path, 'none']);
      value.forEach((item, i) => entries.push([`${path}[${i}]`, inlineObject(item as Record<string, unknown>)]));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inner = configEntries(value as Record<string, unknown>, path);
      entries.push(...(inner.length > 0 ? inner : [[path, 'none'] as [string, string]]));
    } else {
      // A sweep's values are in the unit of its parameter: interval µs, payloadBytes bytes.
      const unitKey = key === 'values' && typeof config.param === 'string' ? (SWEEP_VALUE_UNIT[config.param] ?? key) : key;
      entries.push([path, configValue(unitKey, value)]);
    }
  }
  return entries;
}

const SWEEP_VALUE_UNIT: Record<string, string> = { interval: 'intervalUs', payloadBytes: 'payloadBytes' };

function inlineObject(object: Record<string, unknown>): string {
  if (typeof object !== 'object' || object === null) return configValue('', object);
  return Object.entries(object)
    .map(([k, v]) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? `${k} ${JSON.stringify(v)}` : `${k} ${configValue(k, v)}`))
    .join(', ');
}

function configValue(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => configValue(key, v)).join(', ');
  if (typeof value !== 'number') return String(value);
  if (/Us$/.test(key)) return formatDurationUs(value);
  if (/Ms$/.test(key)) return formatDurationUs(value * 1000);
  if (/Bytes$/.test(key)) return formatBytes(value);
  return Number.isInteger(value) ? formatCount(value) : formatRatio(value);
}
