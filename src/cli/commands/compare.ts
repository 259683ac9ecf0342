import { Option, type Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { compareResults } from '../../compare/compare-results.js';
import type { LoadedResult } from '../../compare/comparable.js';
import { parseMetricSelection } from '../../compare/metric-selection.js';
import { renderComparisonJson } from '../../compare/render-json.js';
import { renderComparisonMarkdown } from '../../compare/render-markdown.js';
import { renderComparisonTable } from '../../compare/render-table.js';
import { ExitCode, rtbError } from '../../errors.js';
import { renderJunitSuites } from '../../report/junit.js';
import { readResult } from '../../result/read-result.js';
import { parseRelativeChecks } from '../../thresholds/grammar.js';
import { colorEnabled } from '../color.js';
import { collect } from '../option-parsers.js';

interface CompareFlags {
  format: 'table' | 'markdown' | 'json';
  metrics?: string;
  failOn?: string[];
  junit?: string;
  color: boolean;
}

/** Adds the `compare` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerCompareCommand(command: Command): void {
  command
    .argument('<baseline>', 'the baseline result file (.json written by rtbench run)')
    .argument('<candidates...>', 'one or more result files to compare with the baseline')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'markdown', 'json']).default('table'))
    .option('--metrics <list>', 'metrics to show, comma-separated (see `rtbench metrics`)')
    .option('--fail-on <check>', 'exit 99 when a change matches, e.g. "latency.p99 > +10%" or "*.lost > +0" (repeatable)', collect)
    .option('--junit <file>', 'also write the --fail-on outcomes as JUnit XML')
    .option('--no-color', 'no colour in the table')
    .action(async (baseline: string, candidates: string[], flags: CompareFlags) => {
      process.exitCode = await compareCommand([baseline, ...candidates], flags);
    });
}

async function compareCommand(files: string[], flags: CompareFlags): Promise<number> {
  // Everything the user wrote is checked before any file is read.
  const metrics = flags.metrics === undefined ? undefined : parseMetricSelection(flags.metrics);
  const failOn = parseRelativeChecks(flags.failOn ?? []);
  const inputs: LoadedResult[] = [];
  for (const file of files) inputs.push({ file, result: await readResult(file) });

  const comparison = compareResults(inputs, { ...(metrics ? { metrics } : {}), failOn });
  const output =
    flags.format === 'json'
      ? renderComparisonJson(comparison)
      : flags.format === 'markdown'
        ? renderComparisonMarkdown(comparison)
        : renderComparisonTable(comparison, { color: colorEnabled(process.stdout, flags.color) });
  process.stdout.write(output);

  if (flags.junit !== undefined) {
    const suites = comparison.runs.map((run) => ({ name: `rtbench compare ${comparison.baseline.file} → ${run.candidate.file}`, outcomes: run.checks, timestamp: run.candidate.startedAt }));
    try {
      await writeFile(flags.junit, renderJunitSuites(suites));
    } catch (error) {
      throw rtbError('RTB_ERR_IO', `cannot write the JUnit report to ${flags.junit}: ${(error as Error).message}`, error);
    }
  }

  const failed = comparison.runs.flatMap((run) => run.checks.filter((c) => !c.ok).map((c) => ({ file: run.candidate.file, check: c })));
  for (const { file, check } of failed) process.stderr.write(`rtbench: --fail-on "${check.expression}" failed for ${file}: ${check.message}\n`);
  return failed.length > 0 ? ExitCode.thresholdsFailed : ExitCode.ok;
}
