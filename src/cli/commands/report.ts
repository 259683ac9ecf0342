import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { displayPath } from '../../display-path.js';
import { htmlReportPath, writeHtmlReport } from '../../report/html/write-html-report.js';
import { readResult } from '../../result/read-result.js';

interface ReportFlags {
  out?: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report with charts for one or more result files (several: before/after side by side)')
    .argument('<results...>', 'result JSON files written by `rtbench run`')
    .option('--out <file>', 'the HTML file to write (default: beside the first result, .json → .html)')
    .action(async (files: string[], flags: ReportFlags) => {
      const results = [];
      for (const file of files) results.push(await readResult(file));
      const out = resolve(flags.out ?? htmlReportPath(files[0]));
      await writeHtmlReport(out, results, { labels: files.map((f) => basename(f, '.json')) });
      process.stdout.write(`Report: ${displayPath(out)}\n`);
    });
}
