/**
 * Errors have a class, a stable code and one path to the user: the CLI prints
 * `rtbench: <message>` and exits with the code's exit status. Hot paths count failures,
 * they never throw them.
 */

/** Process exit statuses; documented in the README ("Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A bug in rtbench: an error that is not an RtbError. */
  internal: 1,
  /** Bad input: flag, scenario file, threshold, result file. Nothing ran. */
  badInput: 2,
  /** The machine cannot do what was asked: port in use, open-file limit, memory, browser missing. */
  environment: 3,
  /** The run failed: target unreachable or not speaking the protocol, server died. */
  runFailed: 4,
  /** Thresholds were evaluated and at least one failed (k6 uses 99 too). */
  thresholdsFailed: 99,
  /** Stopped by Ctrl-C; what was measured was still written, marked partial. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodeOf = {
  RTB_ERR_USAGE: ExitCode.badInput,
  RTB_ERR_SCENARIO_NOT_FOUND: ExitCode.badInput,
  RTB_ERR_SCENARIO_INVALID: ExitCode.badInput,
  RTB_ERR_THRESHOLD_INVALID: ExitCode.badInput,
  RTB_ERR_RESULT_INVALID: ExitCode.badInput,
  RTB_ERR_RESULT_MISMATCH: ExitCode.badInput,
  RTB_ERR_PROFILE_INVALID: ExitCode.badInput,
  RTB_ERR_PORT_IN_USE: ExitCode.environment,
  RTB_ERR_FD_LIMIT: ExitCode.environment,
  /** The planned connections would not fit in the memory the machine has available. */
  RTB_ERR_MEMORY: ExitCode.environment,
  RTB_ERR_BROWSER_MISSING: ExitCode.environment,
  RTB_ERR_IO: ExitCode.environment,
  RTB_ERR_TARGET_UNREACHABLE: ExitCode.runFailed,
  RTB_ERR_TARGET_PROTOCOL: ExitCode.runFailed,
  RTB_ERR_PHASE_INVALID: ExitCode.runFailed,
  RTB_ERR_SERVER_DIED: ExitCode.runFailed,
  RTB_ERR_RUN_FAILED: ExitCode.runFailed,
  /** A sharded run's coordinator cannot be reached, refused the shard, or a shard went away. */
  RTB_ERR_COORDINATOR: ExitCode.runFailed,
  RTB_ERR_THRESHOLDS_FAILED: ExitCode.thresholdsFailed,
  RTB_ERR_INTERRUPTED: ExitCode.interrupted,
} as const satisfies Record<string, ExitCodeValue>;

export type ErrorCode = keyof typeof exitCodeOf;

export class RtbError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RtbError';
    this.code = code;
    this.exitCode = exitCodeOf[code];
  }
}

/** The one factory: `throw rtbError('RTB_ERR_USAGE', '--clients must be a positive integer, got "x"')`. */
export function rtbError(code: ErrorCode, message: string, cause?: unknown): RtbError {
  return new RtbError(code, message, cause === undefined ? undefined : { cause });
}

/** True for a known RTB_ERR_* code (error codes travel as strings between threads and in results). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(exitCodeOf, code);
}

export function isRtbError(error: unknown): error is RtbError {
  return error instanceof RtbError;
}

/** A one-line description of any thrown value, for messages that wrap a lower-level error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
