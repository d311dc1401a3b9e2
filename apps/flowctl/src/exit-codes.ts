import { CommanderError } from 'commander';
import { ApiError, InvalidInput, ServerUnreachable, messageOf } from './errors';

/**
 * 0 success; 1 the operation failed; 2 bad usage or invalid input. Scripts tell
 * "fix the command" (2) apart from "the work failed" (1) without reading stderr.
 */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A server status that means "what you sent is wrong" rather than "the operation failed". */
export const isInvalidInputStatus = (status: number): boolean => status === 400 || status === 422;

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    // Commander exits 0 after --help / --version and 1 for every usage error; usage errors are ours to call 2.
    return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
  }
  if (error instanceof InvalidInput) return ExitCode.Usage;
  if (error instanceof ApiError) return isInvalidInputStatus(error.status) ? ExitCode.Usage : ExitCode.Failure;
  if (error instanceof ServerUnreachable) return ExitCode.Failure;
  return ExitCode.Failure;
}

/** The line printed on stderr for an error, or undefined when commander has already printed it. */
export function messageFor(error: unknown): string | undefined {
  if (error instanceof CommanderError) return undefined;
  return `error: ${messageOf(error)}`;
}
