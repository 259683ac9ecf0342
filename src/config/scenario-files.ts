import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { createRequire } from 'node:module';
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
        description = describe(readFileSync(file, 'utf8'));
      } catch {
        description = '(unreadable)';
      }
      return { name: basename(f, extname(f)), description, file };
    });
}

/** A top-level `description:` written as one plain line (every built-in scenario's): read without a YAML parser. */
const PLAIN_DESCRIPTION = /^description:[ \t]+([^\s'"|>&*!%@`{[#][^\n#]*?)[ \t]*$/m;

/**
 * A scenario's description. `rtbench list` is a cold start: the YAML parser (about 70 files,
 * ~30 ms) is loaded only when a description is not one plain line.
 */
function describe(text: string): string {
  const plain = PLAIN_DESCRIPTION.exec(text)?.[1];
  if (plain !== undefined && !plain.includes(': ')) return plain;
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return String((parse(text) as { description?: unknown } | null)?.description ?? '');
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
