import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * Chart.js 4's UMD build (it defines `window.Chart`), read from the installed package so the
 * report can inline it and open without network access. chart.js's package `exports` do not
 * list `dist/chart.umd.js`, so it is found beside the resolved main entry (`dist/chart.cjs`).
 * The source-map comment is dropped: the map is not inlined and must not be fetched.
 */
export function chartJsSource(): string {
  if (cached === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    const source = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
    cached = source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }
  return cached;
}
