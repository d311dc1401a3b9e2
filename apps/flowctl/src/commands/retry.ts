import { Argument, Command } from 'commander';
import type { Run } from '../api-shapes';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

export function registerRetryCommand(program: Command, context: CommandContext): void {
  program
    .command('retry')
    .description('re-run a failed run from its failed tasks; succeeded tasks keep their outputs')
    .addArgument(new Argument('<resource>', 'run').choices(['run']))
    .argument('<id>', 'the run id')
    .action(async (_kind: string, id: string) => {
      context.exitCode = await retryRun(context, id);
    });
}

export async function retryRun(context: CommandContext, id: string): Promise<ExitCode> {
  const run: Run | undefined = await context.api().routes.retryRun({ id });
  context.out(`run/${id} retried${run?.status ? ` (status ${run.status})` : ''}\n`);
  return ExitCode.Success;
}
