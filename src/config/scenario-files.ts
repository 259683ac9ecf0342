import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { parse } from 'yaml';
import { rtbError } from '../errors.js';

/** The scenarios shipped with rtbench (the package's scenarios/ folder). */
export const BUILTIN_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface ScenarioListing {
  name: string;
  description: string;
  file: string;
}

/** Built-in scenarios, sorted by name, with their one-line descriptions. */
export function listScenarios(): ScenarioListing[] {
  return readdirSync(BUILTIN_SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => {
      const file = resolve(BUILTIN_SCENARIO_DIR, f);
      let description = '';
      try {
        description = String((parse(readFileSync(file, 'utf8')) as { description?: unknown })?.description ?? '');
      } catch {
        description = '(unreadable)';
      }
      return { name: basename(f, extname(f)), description, file };
    });
}

/**
 * The file for `rtbench run <scenario>`: a path to a YAML file, or the name of a built-in
 * scenario. Unknown names are an error listing what exists.
 */
export function findScenarioFile(nameOrPath: string): string {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  if (looksLikePath) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw rtbError('RTB_ERR_SCENARIO_NOT_FOUND', `scenario file ${nameOrPath} does not exist`);
    return file;
  }
  const listing = listScenarios();
  const found = listing.find((s) => s.name === nameOrPath);
  if (found) return found.file;
  const names = listing.map((s) => s.name);
  const near = names.length > 0 ? closest(nameOrPath, names) : undefined;
  const hint = near !== undefined && distance(nameOrPath, near) <= Math.max(2, Math.floor(nameOrPath.length / 3)) ? ` (did you mean "${near}"?)` : '';
  throw rtbError('RTB_ERR_SCENARIO_NOT_FOUND', `unknown scenario "${nameOrPath}"${hint}; available: ${names.join(', ')} — or give a path to a .yaml file`);
}
