/**
 * The rtbench command line: wires the commands and sends every failure through
 * reportFailure. No logic lives here.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';
import { reportFailure } from './failure.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerListCommand } from './commands/list.js';
import { registerProbeCommand } from './commands/probe.js';
import { registerProfileCommand } from './commands/profile.js';
import { registerReportCommand } from './commands/report.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerRunCommand } from './commands/run.js';
import { registerServerCommand } from './commands/server.js';

endQuietlyWhenOutputCloses();

const program = new Command('rtbench')
  .description('Benchmark real-time transports side by side: polling, long polling, Server-Sent Events, WebSocket.')
  .version(VERSION)
  .exitOverride()
  .showSuggestionAfterError(true)
  .configureOutput({
    outputError: (message, write) => write(`rtbench: ${message.replace(/^error: /, '')}`),
  });

registerRunCommand(program);
registerListCommand(program);
registerProbeCommand(program);
registerProfileCommand(program);
registerServerCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerMetricsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}
