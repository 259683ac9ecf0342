import type { Command } from 'commander';
import { metricList, renderMetricList } from '../../report/metric-list.js';

export function registerMetricsCommand(program: Command): void {
  program
    .command('metrics')
    .description('list every metric a threshold or compare can name, with its unit and meaning')
    .option('--json', 'print the list as JSON', false)
    .action((flags: { json: boolean }) => {
      process.stdout.write(flags.json ? `${JSON.stringify(metricList(), null, 1)}\n` : renderMetricList());
    });
}
