import { CommanderError } from 'commander';
import { ApiError, InvalidInput, ServerUnreachable } from './errors';
import { ExitCode, exitCodeFor, messageFor } from './exit-codes';

describe('exitCodeFor', () => {
  it('maps commander usage errors to 2 and help/version to 0', () => {
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--nope'"))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new CommanderError(1, 'commander.missingArgument', 'error: missing required argument'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(ExitCode.Success);
    expect(exitCodeFor(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(ExitCode.Success);
  });

  it('maps a server 400 to 2 (invalid input) and other statuses to 1', () => {
    expect(exitCodeFor(new ApiError(400, 'spec.tasks[0].name: bad name'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new ApiError(422, 'unprocessable'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new ApiError(404, 'run "x" not found'))).toBe(ExitCode.Failure);
    expect(exitCodeFor(new ApiError(409, 'run already finished'))).toBe(ExitCode.Failure);
    expect(exitCodeFor(new ApiError(503, 'not ready'))).toBe(ExitCode.Failure);
  });

  it('maps bad local input to 2 and an unreachable server or anything unexpected to 1', () => {
    expect(exitCodeFor(new InvalidInput('--input "x": expected KEY=VALUE'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new ServerUnreachable('http://localhost:8080', 'connect ECONNREFUSED'))).toBe(ExitCode.Failure);
    expect(exitCodeFor(new Error('boom'))).toBe(ExitCode.Failure);
    expect(exitCodeFor('a string')).toBe(ExitCode.Failure);
  });
});

describe('messageFor', () => {
  it('leaves commander errors to commander, which has printed them already', () => {
    expect(messageFor(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"))).toBeUndefined();
  });

  it('prefixes everything else with "error:"', () => {
    expect(messageFor(new ServerUnreachable('http://h:1', 'connect ECONNREFUSED'))).toMatch(
      /^error: cannot reach the flowctl server at http:\/\/h:1: connect ECONNREFUSED/,
    );
    expect(messageFor(new ApiError(404, 'run "x" not found'))).toBe('error: run "x" not found');
  });
});
