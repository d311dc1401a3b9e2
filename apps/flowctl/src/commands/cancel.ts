import { Argument, Command } from 'commander';
import type { Run } from '../api-shapes';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

export function registerCancelCommand(program: Command, context: CommandContext): void {
  program
    .command('cancel')
    .description('cancel a run; its running tasks get their cancellation signal')
    .addArgument(new Argument('<resource>', 'run').choices(['run']))
    .argument('<id>', 'the run id')
    .action(async (_kind: string, id: string) => {
      context.exitCode = await cancelRun(context, id);
    });
}

export async function cancelRun(context: CommandContext, id: string): Promise<ExitCode> {
  const run: Run | undefined = await context.api().routes.cancelRun({ id });
  context.out(`run/${id} cancelled${run?.status ? ` (status ${run.status})` : ''}\n`);
  return ExitCode.Success;
}
