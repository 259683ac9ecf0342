import { readFile } from 'node:fs/promises';
import { describeError, rtbError } from '../errors.js';
import { decodeHistogram } from '../metrics/histogram.js';
import { RESULT_SCHEMA, type RunResult } from './types.js';

/**
 * Reads a result file for compare and report. A file that is missing, not JSON, truncated,
 * or of another schema is one clear RTB_ERR_RESULT_INVALID naming the file.
 */
export async function readResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw rtbError('RTB_ERR_RESULT_INVALID', code === 'ENOENT' ? `${path}: no such result file` : `${path}: cannot read (${code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const trimmed = text.trim();
    if (trimmed === '') throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: is empty, not an rtbench result`);
    // A result is one JSON object: one that starts but does not end was cut short (a copy or a write interrupted).
    const truncated = trimmed.startsWith('{') && !trimmed.endsWith('}');
    // Inside an object, the parser's reason says where it broke; otherwise the file's first characters say more.
    const reason = trimmed.startsWith('{') ? (error as Error).message.replace(/\s+/g, ' ') : `it begins ${JSON.stringify(trimmed.slice(0, 24).replace(/\s+/g, ' '))}`;
    throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: ${truncated ? 'is truncated (the JSON ends early)' : `is not JSON (${reason})`}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: is not an rtbench result (expected a JSON object)`);
  }
  const schema = (parsed as { schema?: unknown }).schema;
  if (schema !== RESULT_SCHEMA) {
    throw rtbError(
      'RTB_ERR_RESULT_INVALID',
      schema === undefined
        ? `${path}: is not an rtbench result (no "schema" field)`
        : `${path}: has schema ${JSON.stringify(schema)}; this rtbench reads ${RESULT_SCHEMA}`,
    );
  }
  const result = parsed as RunResult;
  // Compare and report read these without further checks.
  for (const field of ['tool', 'scenario', 'environment', 'config', 'target'] as const) {
    if (typeof result[field] !== 'object' || result[field] === null) throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: is damaged (no "${field}" object)`);
  }
  if (!Array.isArray(result.phases) || result.phases.some((p) => typeof p !== 'object' || p === null || typeof p.key !== 'string' || typeof p.metrics !== 'object' || p.metrics === null || typeof p.histograms !== 'object' || p.histograms === null)) {
    throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: is damaged (its "phases" are not a list of phase results)`);
  }
  // Compare and report decode every histogram; one that does not decode is a damaged file, said here once.
  for (const phase of result.phases) {
    for (const name of HISTOGRAM_NAMES) {
      const problem = histogramProblem((phase.histograms as Record<string, unknown>)[name]);
      if (problem !== undefined) throw rtbError('RTB_ERR_RESULT_INVALID', `${path}: is damaged (phase ${phase.key}: its ${name} histogram ${problem})`);
    }
  }
  return result;
}

const HISTOGRAM_NAMES = ['latency', 'connect', 'publisherLag'] as const;

/** Why an encoded histogram (compressed base64) cannot be read, or undefined when it decodes. An empty string is an empty histogram. */
function histogramProblem(encoded: unknown): string | undefined {
  if (encoded === undefined) return 'is missing';
  if (typeof encoded !== 'string') return `is ${encoded === null ? 'null' : `a ${typeof encoded}`}, not an encoded histogram`;
  if (encoded === '') return undefined;
  try {
    decodeHistogram(encoded);
    return undefined;
  } catch (error) {
    return `does not decode (${describeError(error)})`;
  }
}
