import type { Command } from 'commander';
import { listScenarios } from '../../config/scenario-files.js';

/** Adds the `list` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerListCommand(command: Command): void {
  command
    .action(() => {
      const scenarios = listScenarios();
      const width = Math.max(...scenarios.map((s) => s.name.length));
      for (const s of scenarios) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
    });
}
