import { readFileSync } from 'node:fs';

/** rtbench's version, from its package.json (one directory above dist/ and src/). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
