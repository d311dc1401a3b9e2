import { Argument, type Command } from 'commander';
import { segment } from '../api-client';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { namespaceOption } from '../namespace-option';

export function registerDeleteCommand(program: Command, context: CommandContext): void {
  program
    .command('delete')
    .description('remove a workflow: no new runs start and its schedule stops; runs keep their history')
    .addArgument(new Argument('<resource>', 'workflow').choices(['workflow']))
    .argument('<name>', 'the workflow name')
    .addOption(namespaceOption())
    .action(async (_kind: string, name: string, options: { namespace?: string }) => {
      context.exitCode = await deleteWorkflow(context, name, context.namespace(options.namespace));
    });
}

export async function deleteWorkflow(context: CommandContext, name: string, namespace: string | undefined): Promise<ExitCode> {
  await context.api().delete(`/workflows/${segment(name)}`, { namespace });
  context.out(`workflow/${name} deleted${namespace && namespace !== 'default' ? ` from namespace ${namespace}` : ''}\n`);
  return ExitCode.Success;
}
