import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCompareCommand } from '../../src/cli/commands/compare.js';
import { registerListCommand } from '../../src/cli/commands/list.js';
import { registerMetricsCommand } from '../../src/cli/commands/metrics.js';
import { registerProbeCommand } from '../../src/cli/commands/probe.js';
import { registerReportCommand } from '../../src/cli/commands/report.js';
import { registerRunCommand } from '../../src/cli/commands/run.js';
import { registerServerCommand } from '../../src/cli/commands/server.js';
import { runCli } from '../helpers/cli.js';

/** Every command as main.ts wires it: named there, its options added by its register function. */
function commands(): readonly Command[] {
  const program = new Command('rtbench');
  const registers = { run: registerRunCommand, list: registerListCommand, probe: registerProbeCommand, server: registerServerCommand, report: registerReportCommand, compare: registerCompareCommand, metrics: registerMetricsCommand };
  for (const [name, register] of Object.entries(registers)) register(program.command(name));
  return program.commands;
}

/** What `--help` prints after "default: ", as a user would type it back (a string default is shown quoted). */
function shownDefault(command: Command, option: Option): string | undefined {
  if (option.defaultValue === undefined) return undefined; // "(default: …)" in prose, not a value
  const match = /\(default: (.*)\)$/.exec(command.createHelp().optionDescription(option));
  if (match === null) return undefined;
  return match[1].startsWith('"') ? (JSON.parse(match[1]) as string) : match[1];
}

const withDefaults = commands().flatMap((command) =>
  command.options.filter((option) => shownDefault(command, option) !== undefined && !option.isBoolean()).map((option) => [`${command.name()} ${option.long}`, command, option] as const),
);

describe('every default --help shows is a value the option accepts', () => {
  it('there are defaults to check', () => {
    expect(withDefaults.map(([name]) => name)).toEqual(expect.arrayContaining(['server --long-poll-timeout', 'server --max-body', 'probe --duration', 'run --repeat']));
  });

  it.each(withDefaults)('%s', (_name, command, option) => {
    const shown = shownDefault(command, option)!;
    const parsed = option.parseArg ? option.parseArg(shown, undefined) : shown;
    expect(parsed).toEqual(option.defaultValue);
  });

  it('and the CLI takes them as typed', async () => {
    const run = await runCli(['server', '--long-poll-timeout', '25s', '--max-body', '1MiB', '--max-long-poll-timeout', '2m', '--help']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('(default: 25s)');
    expect(run.stdout).toContain('(default: 1MiB)');
    expect(run.code).toBe(0);
  });
});

describe('durations and sizes read the same in every flag', () => {
  it.each([
    [['server', '--long-poll-timeout', '1m30s'], undefined],
    [['server', '--max-body', '1KiB'], undefined],
    [['server', '--max-body', '1KB'], undefined],
    [['probe', '--duration', '1m30s'], undefined],
    [['probe', '--payload', '1KiB'], undefined],
    [['server', '--long-poll-timeout', '25000'], "rtbench: option '--long-poll-timeout <duration>' argument '25000' is invalid. Expected a duration from 0ms to 60m, such as 250ms, 2s or 1m30s."],
    [['server', '--long-poll-timeout', '2h'], "rtbench: option '--long-poll-timeout <duration>' argument '2h' is invalid. Expected a duration from 0ms to 60m, such as 250ms, 2s or 1m30s."],
    [['server', '--max-body', '1TB'], "rtbench: option '--max-body <size>' argument '1TB' is invalid. Expected a size from 64 to 64MiB, such as 512, 4KiB or 1MB."],
    [['server', '--max-body', '1e12'], "rtbench: option '--max-body <size>' argument '1e12' is invalid. Expected a size from 64 to 64MiB, such as 512, 4KiB or 1MB."],
    [['server', '--max-topics', '1e12'], "rtbench: option '--max-topics <n>' argument '1e12' is invalid. Expected an integer from 1 to 10000000."],
    [['probe', '--duration', '5000'], "rtbench: option '--duration <duration>' argument '5000' is invalid. Expected a duration from 1s to 60m, such as 250ms, 2s or 1m30s."],
    [['probe', '--payload', '2MiB'], "rtbench: option '--payload <size>' argument '2MiB' is invalid. Expected a size from 0 to 1MiB, such as 512, 4KiB or 1MB."],
    [['run', '--server-pid', '99999999999'], "rtbench: option '--server-pid <pid>' argument '99999999999' is invalid. Expected an integer from 1 to 2147483647."],
  ])('%j', async (args, line) => {
    const run = await runCli([...args, '--help']);
    if (line === undefined) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    } else {
      expect(run.stderr).toBe(`${line}\n`);
      expect(run.code).toBe(2);
    }
  });
});
