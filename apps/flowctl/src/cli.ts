import { Command } from 'commander';
import { type CliIo, processIo } from './cli-io';
import { CommandContext } from './command-context';
import { registerApplyCommand } from './commands/apply';
import { registerApproveCommand } from './commands/approve';
import { registerCancelCommand } from './commands/cancel';
import { registerDeleteCommand } from './commands/delete';
import { registerDescribeCommand } from './commands/describe';
import { registerDiffCommand } from './commands/diff';
import { registerDevCommand } from './commands/dev';
import { registerDlqCommand } from './commands/dlq';
import { registerEmitCommand } from './commands/emit';
import { registerGetCommand } from './commands/get';
import { registerInitCommand } from './commands/init';
import { registerLintCommand } from './commands/lint';
import { registerLogsCommand } from './commands/logs';
import { registerRejectCommand } from './commands/reject';
import { registerRetryCommand } from './commands/retry';
import { registerRunCommand } from './commands/run';
import { registerScheduleCommands } from './commands/schedule';
import { registerSchemaCommand } from './commands/schema';
import { registerTokenCommands } from './commands/token';
import { registerSecretCommands } from './commands/secret';
import { ApiError, InvalidInput, ServerUnreachable } from './errors';
import { exitCodeFor, messageFor } from './exit-codes';
import { cliVersion } from './version';

export type { CliIo } from './cli-io';

/**
 * Builds the `flowctl` program. Commander is told to throw instead of exiting
 * (exitOverride) and to write through `io`, so one function serves both the
 * real process and in-process tests. Settings made here before `.command()`
 * are inherited by every subcommand.
 */
export function buildProgram(io: CliIo, fetchImpl?: typeof fetch): { program: Command; context: CommandContext } {
  const program = new Command('flowctl');
  const context = new CommandContext(io, program, fetchImpl);
  program
    .description('flowctl: apply workflows, start and follow runs, inspect the cluster')
    .version(cliVersion(), '-V, --version', 'print the flowctl version')
    .helpOption('-h, --help', 'show help')
    .option('--server <url>', 'the flowctl scheduler (default: $FLOWCTL_SERVER, else http://localhost:8080)')
    .option('--token <token>', 'API token or JWT sent as Bearer (default: $FLOWCTL_TOKEN)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true);

  registerApplyCommand(program, context);
  registerLintCommand(program, context);
  registerDiffCommand(program, context);
  registerDeleteCommand(program, context);
  registerSchemaCommand(program, context);
  registerRunCommand(program, context);
  registerEmitCommand(program, context);
  registerGetCommand(program, context);
  registerDescribeCommand(program, context);
  registerLogsCommand(program, context);
  registerCancelCommand(program, context);
  registerRetryCommand(program, context);
  registerApproveCommand(program, context);
  registerRejectCommand(program, context);
  registerDlqCommand(program, context);
  registerScheduleCommands(program, context);
  registerTokenCommands(program, context);
  registerSecretCommands(program, context);
  registerDevCommand(program, io);
  registerInitCommand(program, io);
  return { program, context };
}

/** Runs one command line (`argv` as in `process.argv`) and resolves to its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo = processIo(), fetchImpl?: typeof fetch): Promise<number> {
  try {
    const { program, context } = buildProgram(io, fetchImpl);
    await program.parseAsync(argv, { from: 'node' });
    return context.exitCode;
  } catch (error) {
    const message = messageFor(error);
    if (message !== undefined) io.stderr.write(`${message}\n`);
    // Expected errors are explained by their message; a stack trace only helps for a bug, and only on request.
    const stack = (error as { stack?: unknown } | null)?.stack;
    if (io.env['FLOWCTL_DEBUG'] && typeof stack === 'string' && !isExpected(error)) io.stderr.write(`${stack}\n`);
    return exitCodeFor(error);
  }
}

function isExpected(error: unknown): boolean {
  return error instanceof ApiError || error instanceof ServerUnreachable || error instanceof InvalidInput;
}
