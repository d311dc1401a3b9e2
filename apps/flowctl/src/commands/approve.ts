import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

export function registerApproveCommand(program: Command, context: CommandContext): void {
  program
    .command('approve')
    .description('approve a waiting approval task, letting its run go on')
    .argument('<run>', 'the run id')
    .argument('<task>', 'the approval task')
    .action(async (runId: string, task: string) => {
      context.exitCode = await decideApproval(context, runId, task, 'approve');
    });
}

/** Shared with `reject`: the two decisions differ only in the last path segment. */
export async function decideApproval(
  context: CommandContext,
  runId: string,
  task: string,
  decision: 'approve' | 'reject',
): Promise<ExitCode> {
  await context.api().routes[decision === 'approve' ? 'approveTask' : 'rejectTask']({ id: runId, name: task });
  context.out(`task/${task} of run/${runId} ${decision === 'approve' ? 'approved' : 'rejected'}\n`);
  return ExitCode.Success;
}
