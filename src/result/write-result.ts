import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
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

/** Writes the result atomically (see writeFileAtomic): a reader never sees half a file. Throws RTB_ERR_IO naming the path. */
export async function writeResult(path: string, result: RunResult): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(result, null, 1)}\n`);
  } catch (error) {
    throw rtbError('RTB_ERR_IO', `cannot write the result to ${path}: ${(error as Error).message}`, error);
  }
}
