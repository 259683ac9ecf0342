import type { Command } from 'commander';
import { metricList, renderMetricList } from '../../report/metric-list.js';

/** Adds the `metrics` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerMetricsCommand(command: Command): void {
  command
    .option('--json', 'print the list as JSON', false)
    .action((flags: { json: boolean }) => {
      process.stdout.write(flags.json ? `${JSON.stringify(metricList(), null, 1)}\n` : renderMetricList());
    });
}
