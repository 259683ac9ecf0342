/**
 * The rtbench command line: wires the commands and sends every failure through
 * reportFailure. No logic lives here.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';
import { reportFailure } from './failure.js';

/**
 * The commands, named and described here so `rtbench --help` lists them without loading
 * any: only the command being run is imported (with its dependencies: the runner, the
 * server, Chart.js …). That keeps `rtbench --help` and `rtbench list` a cold start of a few
 * small modules instead of hundreds of files.
 */
const COMMANDS: readonly { name: string; description: string; load: () => Promise<(command: Command) => void> }[] = [
  { name: 'run', description: 'run a scenario over every transport it lists and report what each one costs', load: async () => (await import('./commands/run.js')).registerRunCommand },
  { name: 'list', description: 'list the built-in scenarios, one line each', load: async () => (await import('./commands/list.js')).registerListCommand },
  { name: 'probe', description: "measure how many requests/s a server's poll or publish route answers (autocannon, closed loop)", load: async () => (await import('./commands/probe.js')).registerProbeCommand },
  { name: 'profile', description: 'server profiles: how rtbench talks to a server it was not written for (docs/profiles.md)', load: async () => (await import('./commands/profile.js')).registerProfileCommand },
  { name: 'server', description: 'run the reference server (rtbench protocol v1) until Ctrl-C', load: async () => (await import('./commands/server.js')).registerServerCommand },
  { name: 'report', description: 'write a self-contained HTML report with charts for one or more result files (several: before/after side by side)', load: async () => (await import('./commands/report.js')).registerReportCommand },
  { name: 'compare', description: 'compare result files side by side: the first is the baseline; latency changes are judged against noise', load: async () => (await import('./commands/compare.js')).registerCompareCommand },
  { name: 'merge', description: 'combine the results of the shards of one run (run --shard i/N) into one result: exact histogram and counter merge', load: async () => (await import('./commands/merge.js')).registerMergeCommand },
  { name: 'coordinate', description: 'coordinate a sharded run: wait for every shard, start each phase on all at once, merge their results', load: async () => (await import('./commands/coordinate.js')).registerCoordinateCommand },
  { name: 'k8s', description: 'write Kubernetes manifests for a sharded run: an Indexed Job of N shards, a headless Service, the scenario in a ConfigMap', load: async () => (await import('./commands/k8s.js')).registerK8sCommand },
  { name: 'metrics', description: 'list every metric a threshold or compare can name, with its unit and meaning', load: async () => (await import('./commands/metrics.js')).registerMetricsCommand },
];

endQuietlyWhenOutputCloses();

const program = new Command('rtbench')
  .description('Benchmark real-time transports side by side: polling, long polling, Server-Sent Events, WebSocket.')
  .version(VERSION)
  .exitOverride()
  .showSuggestionAfterError(true)
  .configureOutput({
    outputError: (message, write) => write(`rtbench: ${message.replace(/^error: /, '')}`),
  });

// The command being run: the first argument that is not an option (`help run` asks about run).
const words = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const invoked = words[0] === 'help' ? words[1] : words[0];
for (const { name, description, load } of COMMANDS) {
  const command = program.command(name).description(description);
  if (name === invoked) (await load())(command);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}
