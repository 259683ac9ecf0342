import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { rtbError } from '../errors.js';
import type { PhaseResult } from '../result/types.js';
import type { SecondRecord } from '../runner/progress.js';

/** `--out ndjson=FILE` or `--out csv=FILE`: written as the run goes, a line per phase-second. */
export interface LiveOutputSpec {
  readonly format: 'ndjson' | 'csv';
  readonly path: string;
}

const CSV_COLUMNS: readonly (keyof SecondRecord)[] = ['phase', 'transport', 't', 'stage', 'connected', 'delivered', 'requests', 'bytesDown', 'latencyP50Us', 'latencyP99Us', 'serverCpuPercent', 'serverRssBytes', 'generatorCpuPercent'];

/**
 * The live outputs of a run, like `k6 --out json`: one record per phase and second (and, in
 * NDJSON, one per finished phase with its summary figures), flushed as they come so a long
 * run can be watched (`tail -f`) or post-processed with jq or a spreadsheet. Unmeasured
 * figures are null in NDJSON and empty in CSV, never 0.
 */
export class LiveOutputs {
  readonly #streams: { format: LiveOutputSpec['format']; stream: WriteStream }[];

  constructor(specs: readonly LiveOutputSpec[]) {
    this.#streams = specs.map(({ format, path }) => {
      try {
        mkdirSync(dirname(resolve(path)), { recursive: true });
      } catch (error) {
        throw rtbError('RTB_ERR_IO', `cannot write ${path}: ${(error as Error).message}`, error);
      }
      const stream = createWriteStream(path, { flags: 'w' });
      stream.on('error', () => {}); // reported once, at close
      if (format === 'csv') stream.write(`${CSV_COLUMNS.join(',')}\n`);
      return { format, stream };
    });
  }

  second(record: SecondRecord): void {
    for (const { format, stream } of this.#streams) {
      if (format === 'ndjson') stream.write(`${JSON.stringify({ type: 'second', ...record })}\n`);
      else stream.write(`${CSV_COLUMNS.map((c) => csvCell(record[c])).join(',')}\n`);
    }
  }

  phase(phase: PhaseResult): void {
    for (const { format, stream } of this.#streams) {
      if (format === 'ndjson') stream.write(`${JSON.stringify({ type: 'phase', phase: phase.key, transport: phase.transport, status: phase.status, metrics: phase.metrics, warnings: phase.warnings })}\n`);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#streams.map(({ stream }) => new Promise<void>((done) => stream.end(done))));
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Splits repeated `--out` values: `ndjson=FILE` and `csv=FILE` are live outputs; a plain path names the result (the last one wins). */
export function parseOutFlags(values: readonly string[]): { resultPath: string; live: LiveOutputSpec[] } {
  let resultPath = 'results';
  const live: LiveOutputSpec[] = [];
  for (const value of values) {
    const match = /^([a-z]+)=(.+)$/.exec(value);
    if (match === null) {
      resultPath = value;
      continue;
    }
    if (match[1] !== 'ndjson' && match[1] !== 'csv') throw rtbError('RTB_ERR_USAGE', `--out ${value}: unknown output "${match[1]}"; use ndjson=FILE, csv=FILE, or a path for the result`);
    live.push({ format: match[1], path: match[2] });
  }
  return { resultPath, live };
}
