import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { decideApproval } from './approve';

export function registerRejectCommand(program: Command, context: CommandContext): void {
  program
    .command('reject')
    .description('reject a waiting approval task; it fails, and its run with it unless a trigger rule says otherwise')
    .argument('<run>', 'the run id')
    .argument('<task>', 'the approval task')
    .action(async (runId: string, task: string) => {
      context.exitCode = await decideApproval(context, runId, task, 'reject');
    });
}
