import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context';
import { namespaceOption } from '../namespace-option';
import { parsePositiveInteger } from '../option-parsers';
import { ExitCode } from '../exit-codes';
import { outputOption, type OutputFormat } from '../output/output-format';
import { getResources } from './get';

export function registerDlqCommand(program: Command, context: CommandContext): void {
  const dlq = program.command('dlq').description('the dead-letter queue: tasks that exhausted their retries');

  dlq
    .command('list')
    .description('list dead letters (same as flowctl get dead-letters)')
    .addOption(outputOption())
    .addOption(new Option('--limit <n>', 'at most this many per page').argParser(parsePositiveInteger))
    .option('--all', 'follow every page instead of stopping after the first')
    .addOption(namespaceOption())
    .action(async (options: { output: OutputFormat; limit?: number; all?: boolean; namespace?: string }) => {
      context.exitCode = await getResources(context, 'dead-letters', undefined, options);
    });

  dlq
    .command('requeue')
    .description('give a dead task a fresh budget of attempts and let its run go on')
    .argument('<id>', 'the dead letter id')
    .action(async (id: string) => {
      context.exitCode = await requeueDeadLetter(context, id);
    });
}

export async function requeueDeadLetter(context: CommandContext, id: string): Promise<ExitCode> {
  await context.api().routes.requeueDeadLetter({ id });
  context.out(`dead-letter/${id} requeued\n`);
  return ExitCode.Success;
}
