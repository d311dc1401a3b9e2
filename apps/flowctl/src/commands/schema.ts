import type { Command } from 'commander';
import { workflowJsonSchema } from '@flowctl/core';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

/** `flowctl schema`: the JSON Schema of workflow files, for editors (`# yaml-language-server: $schema=...`). */
export function registerSchemaCommand(program: Command, context: CommandContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of flowctl/v1 workflow files, for editors to complete and check them')
    .addHelpText(
      'after',
      '\nSave it (flowctl schema > workflow.schema.json) and start a workflow file with\n# yaml-language-server: $schema=./workflow.schema.json',
    )
    .action(() => {
      context.out(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
      context.exitCode = ExitCode.Success;
    });
}
