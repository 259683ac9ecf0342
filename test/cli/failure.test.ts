import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { reportFailure } from '../../src/cli/failure.js';
import { ExitCode, rtbError } from '../../src/errors.js';

function report(error: unknown): { code: number; text: string } {
  let text = '';
  const code = reportFailure(error, (line) => (text += line));
  return { code, text };
}

describe('every failure reaches the user as one line and a documented exit code', () => {
  it.each([
    ['RTB_ERR_USAGE', ExitCode.badInput],
    ['RTB_ERR_SCENARIO_INVALID', ExitCode.badInput],
    ['RTB_ERR_THRESHOLD_INVALID', ExitCode.badInput],
    ['RTB_ERR_RESULT_INVALID', ExitCode.badInput],
    ['RTB_ERR_PORT_IN_USE', ExitCode.environment],
    ['RTB_ERR_FD_LIMIT', ExitCode.environment],
    ['RTB_ERR_BROWSER_MISSING', ExitCode.environment],
    ['RTB_ERR_TARGET_UNREACHABLE', ExitCode.runFailed],
    ['RTB_ERR_SERVER_DIED', ExitCode.runFailed],
    ['RTB_ERR_THRESHOLDS_FAILED', ExitCode.thresholdsFailed],
    ['RTB_ERR_INTERRUPTED', ExitCode.interrupted],
  ] as const)('%s → exit %i, one line, no stack', (code, exitCode) => {
    const { code: exit, text } = report(rtbError(code, 'what went wrong'));
    expect(exit).toBe(exitCode);
    expect(text).toBe('rtbench: what went wrong\n');
  });

  it('a message of several problems is one line per problem, each a line of its own', () => {
    const { code, text } = report(rtbError('RTB_ERR_SCENARIO_INVALID', 'my.yaml:4: workload.rate: expected a number; found "fast"\nmy.yaml:6: clients.count: expected a number ≥ 1; found 0'));
    expect(code).toBe(ExitCode.badInput);
    expect(text).toBe('rtbench: my.yaml:4: workload.rate: expected a number; found "fast"\nrtbench: my.yaml:6: clients.count: expected a number ≥ 1; found 0\n');
  });

  it('a bug (any other error) is exit 1, says it is a bug, and keeps its stack for the report', () => {
    const { code, text } = report(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(code).toBe(ExitCode.internal);
    expect(text.split('\n')[0]).toBe("rtbench: internal error: Cannot read properties of undefined (reading 'x')");
    expect(text).toContain('This is a bug in rtbench');
    expect(text).toContain('at '); // the stack
  });

  it('commander already printed its own message: help and version are 0, bad flags 2', () => {
    expect(report(new CommanderError(0, 'commander.helpDisplayed', '')).code).toBe(0);
    expect(report(new CommanderError(0, 'commander.version', '1.0.0')).code).toBe(0);
    expect(report(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toEqual({ code: 2, text: '' });
  });
});
