import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { rtbError } from '../errors.js';
import type { RunResult } from './types.js';

/**
 * Where a result goes: `out` ending in `.json` is the file itself; otherwise it is a
 * folder and the file is `<out>/<time>-<scenario>.json`.
 */
export function resultPath(out: string, result: Pick<RunResult, 'startedAt' | 'scenario'>): string {
  if (out.endsWith('.json')) return out;
  const stamp = result.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const name = result.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-');
  return join(out, `${stamp}-${name}.json`);
}

/** Writes the result atomically (temp file + rename): a reader never sees half a file. */
export async function writeResult(path: string, result: RunResult): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, `${JSON.stringify(result, null, 1)}\n`);
    await rename(temp, path);
  } catch (error) {
    throw rtbError('RTB_ERR_IO', `cannot write the result to ${path}: ${(error as Error).message}`, error);
  }
}
