import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { rtbError } from '../errors.js';

/** The profiles shipped with rtbench (the package's profiles/ folder): rtbench, nchan, socket.io. */
export const BUILTIN_PROFILE_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));
/** The profile JSON Schema, published beside the scenario schema. */
export const PROFILE_SCHEMA_PATH = fileURLToPath(new URL('../../schema/profile.schema.json', import.meta.url));

/** Names of the built-in profiles, sorted. */
export function builtinProfileNames(): string[] {
  return readdirSync(BUILTIN_PROFILE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, extname(f)))
    .sort();
}

/**
 * The file for `--profile NAME|FILE`: a path (anything with a slash or a .yaml/.yml/.json
 * ending) or a built-in name. Unknown names are an error listing what exists.
 */
export function findProfileFile(nameOrPath: string): { file: string; builtin: boolean } {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.(ya?ml|json)$/.test(nameOrPath);
  if (looksLikePath) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw rtbError('RTB_ERR_PROFILE_INVALID', `profile file ${nameOrPath} does not exist`);
    return { file, builtin: false };
  }
  const names = builtinProfileNames();
  if (names.includes(nameOrPath)) return { file: resolve(BUILTIN_PROFILE_DIR, `${nameOrPath}.yaml`), builtin: true };
  const near = names.length > 0 ? closest(nameOrPath, names) : undefined;
  const hint = near !== undefined && distance(nameOrPath, near) <= Math.max(2, Math.floor(nameOrPath.length / 3)) ? ` (did you mean "${near}"?)` : '';
  throw rtbError('RTB_ERR_PROFILE_INVALID', `unknown profile "${nameOrPath}"${hint}; built-in profiles: ${names.join(', ')} — or give a path to a profile .yaml file`);
}
