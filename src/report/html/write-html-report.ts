import { extname } from 'node:path';
import { writeFileAtomic } from '../../atomic-write.js';
import { rtbError } from '../../errors.js';
import type { RunResult } from '../../result/types.js';
import { renderHtmlReport, type HtmlReportOptions } from './render-html-report.js';

/**
 * Where a report goes by default: beside its (first) result file, with `.html` for `.json`:
 * `results/2026-…-default.json` → `results/2026-…-default.html`.
 */
export function htmlReportPath(resultPath: string): string {
  return extname(resultPath) === '.json' ? `${resultPath.slice(0, -'.json'.length)}.html` : `${resultPath}.html`;
}

/**
 * Renders the report and writes it atomically (see writeFileAtomic), creating the folder.
 * A write that fails is RTB_ERR_IO naming the path.
 */
export async function writeHtmlReport(path: string, results: readonly RunResult[], options: HtmlReportOptions = {}): Promise<void> {
  const html = renderHtmlReport(results, options);
  try {
    await writeFileAtomic(path, html);
  } catch (error) {
    throw rtbError('RTB_ERR_IO', `cannot write the report to ${path}: ${(error as Error).message}`, error);
  }
}
