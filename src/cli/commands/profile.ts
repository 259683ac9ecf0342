import { InvalidArgumentError, type Command } from 'commander';
import { builtinProfileNames } from '../../profiles/profile-files.js';
import { loadProfile } from '../../profiles/load-profile.js';
import { parseTargetUrl } from '../../config/target-url.js';
import { ExitCode } from '../../errors.js';
import { isTransport, type Transport } from '../../protocol/transports.js';
import { checkProfile } from '../../runner/profile-check.js';
import { durationOption } from '../option-parsers.js';

interface CheckFlags {
  target: string;
  allowRemote: boolean;
  transports?: Transport[];
  timeout: number;
}

function transportList(value: string): Transport[] {
  const list = value.split(',').map((t) => t.trim());
  const bad = list.find((t) => !isTransport(t));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a transport; expected polling, long-polling, sse or ws.`);
  return list as Transport[];
}

/** `rtbench profile list|check`: the built-in profiles, and a step-by-step check of a profile against a server. */
/** Adds the `profile` command's arguments, options and action to `command` (named and described in cli/main.ts). */
export function registerProfileCommand(command: Command): void {
  const profile = command;
  profile
    .command('list')
    .description('list the built-in profiles')
    .action(() => {
      for (const name of builtinProfileNames()) {
        const p = loadProfile(name);
        process.stdout.write(`${name.padEnd(10)} ${Object.keys(p.transports).join(', ').padEnd(34)} ${p.description}\n`);
      }
    });
  profile
    .command('check')
    .description('connect one client per transport, publish one event and show each step: what was sent, what came back, where the event was found')
    .argument('<profile>', 'a built-in profile name or a profile .yaml file')
    .requiredOption('--target <url>', 'the server to check')
    .option('--allow-remote', 'allow a --target that is not on loopback', false)
    .option('--transports <list>', 'only these transports, e.g. sse,ws', transportList)
    .addOption(durationOption('--timeout <duration>', 'how long each step may take', [100, 120_000], 5000))
    .action(async (name: string, flags: CheckFlags) => {
      const url = parseTargetUrl(flags.target, flags.allowRemote);
      const loaded = loadProfile(name);
      const results = await checkProfile(url, loaded, flags.transports, { connectMs: flags.timeout, deliverMs: flags.timeout }, (line) => process.stdout.write(`${line}\n`));
      const failed = results.filter((r) => !r.ok);
      process.stdout.write(`\n${results.length - failed.length} of ${results.length} transports work with ${loaded.source}\n`);
      for (const r of failed) process.stderr.write(`rtbench: ${r.transport}: ${r.summary}\n`);
      process.exitCode = failed.length > 0 || results.length === 0 ? ExitCode.runFailed : ExitCode.ok;
    });
}
