import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { displayPath } from '../../display-path.js';
import { htmlReportPath, writeHtmlReport } from '../../report/html/write-html-report.js';
import { readResult } from '../../result/read-result.js';

interface ReportFlags {
  out?: string;
}

/** Adds the `report` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerReportCommand(command: Command): void {
  command
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
