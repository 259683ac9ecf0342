import type { Command } from 'commander';
import { listScenarios } from '../../config/scenario-files.js';

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the built-in scenarios, one line each')
    .action(() => {
      const scenarios = listScenarios();
      const width = Math.max(...scenarios.map((s) => s.name.length));
      for (const s of scenarios) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
    });
}
