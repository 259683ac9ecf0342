import { CommanderError } from 'commander';
import { describeError, ExitCode, isRtbError } from '../errors.js';

/**
 * The one place an error reaches the user: one line on stderr, and the exit status it
 * means. A stack trace only with RTBENCH_DEBUG=1, or for an error that is a bug.
 */
export function reportFailure(error: unknown, write: (line: string) => void = (line) => process.stderr.write(line)): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (through configureOutput in main.ts).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
    return ExitCode.badInput;
  }
  if (isRtbError(error)) {
    // A message of several problems (every bad field of a scenario) is one line per problem.
    write(error.message.split('\n').map((line) => `rtbench: ${line}\n`).join(''));
    if (process.env.RTBENCH_DEBUG) write(`${error.stack}\n`);
    return error.exitCode;
  }
  write(`rtbench: internal error: ${describeError(error)}\n`);
  write('  This is a bug in rtbench; please report it with the command you ran.\n');
  if (error instanceof Error && error.stack) write(`${error.stack}\n`);
  return ExitCode.internal;
}
