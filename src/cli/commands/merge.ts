import type { Command } from 'commander';
import { displayPath } from '../../display-path.js';
import { mergeShardResults } from '../../merge/merge-results.js';
import { readResult } from '../../result/read-result.js';
import { parseThresholds } from '../../thresholds/grammar.js';
import { finishMerged, type MergedOutputFlags } from '../merged-output.js';
import { collect } from '../option-parsers.js';

interface MergeFlags extends MergedOutputFlags {
  threshold?: string[];
}

/** Adds the `merge` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerMergeCommand(command: Command): void {
  command
    .argument('<results...>', 'the result files of every shard of one run (rtbench run --shard i/N), in any order')
    .option('--out <file>', 'where to write the merged result (default results/<time>-<scenario>-merged.json)')
    .option('--threshold <expr>', 'a check on the merged result, e.g. "sse.latency.p99 < 50ms" (repeatable; adds to the ones the shards checked)', collect)
    .option('--no-thresholds', 'skip the thresholds the shards checked (a --threshold is still checked)')
    .option('--json', 'print the merged result on stdout instead of the table', false)
    .option('--no-color', 'no colour in the table')
    .action(async (files: string[], flags: MergeFlags) => {
      const extra = parseThresholds(flags.threshold ?? []);
      const inputs = [];
      for (const file of files) inputs.push({ label: displayPath(file), result: await readResult(file) });
      process.exitCode = await finishMerged(mergeShardResults(inputs), inputs.map((i) => i.result), extra, flags);
    });
}
