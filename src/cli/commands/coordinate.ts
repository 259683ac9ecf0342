import type { Command } from 'commander';
import { loadRunConfig } from '../../config/load.js';
import { mergeShardResults } from '../../merge/merge-results.js';
import { Coordinator } from '../../shard/coordinator.js';
import { liveLine } from '../../shard/live-line.js';
import { MAX_SHARDS } from '../../shard/shard-spec.js';
import { parseThresholds } from '../../thresholds/grammar.js';
import { finishMerged, type MergedOutputFlags } from '../merged-output.js';
import { collect, durationOption, integer } from '../option-parsers.js';

interface CoordinateFlags extends MergedOutputFlags {
  shards: number;
  host: string;
  port: number;
  joinTimeout: number;
  threshold?: string[];
  quiet: boolean;
}

/** Adds the `coordinate` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerCoordinateCommand(command: Command): void {
  command
    .argument('<scenario>', 'the scenario every shard runs (a built-in name or a .yaml path)')
    .requiredOption('--shards <n>', 'how many shards must join (rtbench run --shard i/N --coordinator URL)', integer(1, MAX_SHARDS))
    .option('--host <address>', 'interface to listen on (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = a free one, printed)', integer(0, 65535), 7070)
    .addOption(durationOption('--join-timeout <duration>', 'how long to wait for every shard to join', [100, 3_600_000], 60_000))
    .option('--out <file>', 'where to write the merged result (default results/<time>-<scenario>-merged.json)')
    .option('--threshold <expr>', "a check on the merged result (repeatable; adds to the scenario's and the shards')", collect)
    .option('--no-thresholds', "skip the scenario's thresholds and the ones the shards checked (a --threshold is still checked)")
    .option('--json', 'print the merged result on stdout instead of the table', false)
    .option('--quiet', 'no progress on stderr', false)
    .option('--no-color', 'no colour in the table')
    .action(async (scenario: string, flags: CoordinateFlags) => {
      process.exitCode = await coordinate(scenario, flags);
    });
}

async function coordinate(scenario: string, flags: CoordinateFlags): Promise<number> {
  // Bad input is refused before anything listens: the scenario, the thresholds.
  const config = loadRunConfig({ scenario, flags: {} });
  // The scenario's thresholds are judged here, on the merged result, even when the shards ran
  // with --no-thresholds (as the k8s manifests run them: a slice alone is not the run).
  const extra = parseThresholds([...(flags.thresholds ? config.thresholds : []), ...(flags.threshold ?? [])]);
  const tty = process.stderr.isTTY === true && !flags.quiet;
  const say = (line: string): void => {
    if (flags.quiet) return;
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
  };
  const coordinator = await Coordinator.listen({
    shards: flags.shards,
    scenario: config.scenario.name,
    joinTimeoutMs: flags.joinTimeout,
    host: flags.host,
    port: flags.port,
    onNote: (line) => say(`rtbench: ${line}`),
    onSecond: (phase, seconds, latencies) => {
      if (tty) process.stderr.write(`\r\x1b[K${liveLine(phase, seconds, latencies)}`);
    },
  });
  // Where it listens is said even with --quiet: shards need it, and port 0 picks one.
  process.stderr.write(`rtbench: coordinating ${flags.shards} shards of ${config.scenario.name} at ${coordinator.url}; waiting up to ${flags.joinTimeout / 1000} s for them to join\n`);
  const onSigint = (): void => void coordinator.close();
  process.once('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await coordinator.outcome();
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\r\x1b[K');
    await coordinator.close();
  }
  if (outcome.results === undefined) {
    process.stderr.write(`rtbench: ${outcome.failure!.message}\n`);
    return outcome.failure!.exitCode;
  }
  const merged = mergeShardResults(outcome.results.map((result, i) => ({ label: `shard ${i}`, result })));
  return finishMerged(merged, outcome.results, extra, flags, outcome.failure);
}
