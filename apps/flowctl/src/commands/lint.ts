import type { Command } from 'commander';
import { parseWorkflowSource, validateWorkflow, WorkflowInvalid, type WorkflowDefinition } from '@flowctl/core';
import type { CommandContext } from '../command-context';
import { messageOf } from '../errors';
import { ExitCode } from '../exit-codes';
import { workflowDocuments, type WorkflowDocument } from './apply';

/**
 * `flowctl lint`: the validation apply runs on the server, run here with no
 * server, so an editor, a pre-commit hook or CI can check workflow files offline.
 */
export function registerLintCommand(program: Command, context: CommandContext): void {
  program
    .command('lint')
    .description('check workflow files the way apply does, without a server')
    .argument('<paths...>', 'workflow files or directories (their *.yaml, *.yml and *.json files), or - for stdin')
    .action(async (paths: string[]) => {
      context.exitCode = await lintWorkflows(context, paths);
    });
}

export async function lintWorkflows(context: CommandContext, paths: readonly string[]): Promise<ExitCode> {
  const { invalid } = await eachValidWorkflow(context, paths, (definition, document) => {
    context.out(`${document.label}: workflow/${definition.metadata.name} is valid\n`);
  });
  return invalid ? ExitCode.Usage : ExitCode.Success;
}

/**
 * Reads every workflow document under `paths`, reports each invalid one's problems on stderr as
 * apply would, and hands each valid definition to `visit` in order. `invalid` says whether any
 * file or document was unreadable or invalid.
 */
export async function eachValidWorkflow(
  context: CommandContext,
  paths: readonly string[],
  visit: (definition: WorkflowDefinition, document: WorkflowDocument) => void | Promise<void>,
): Promise<{ invalid: boolean }> {
  let invalid = false;
  for (const path of paths) {
    const read = await workflowDocuments(path, context);
    invalid ||= read.invalid;
    for (const document of read.documents) {
      const checked = checkWorkflow(document);
      if ('problems' in checked) {
        invalid = true;
        for (const problem of checked.problems) context.err(`${document.label}: ${problem}\n`);
      } else {
        await visit(checked.definition, document);
      }
    }
  }
  return { invalid };
}

/** The definition as apply would store it, or each problem as apply would report it (`path: message (line N)`). */
export function checkWorkflow(document: WorkflowDocument): { definition: WorkflowDefinition } | { problems: string[] } {
  try {
    return { definition: document.isJson ? validateWorkflow(JSON.parse(document.document)) : parseWorkflowSource(document.document) };
  } catch (error) {
    if (error instanceof WorkflowInvalid)
      return {
        problems: error.issues.map(
          (issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.message}${issue.line ? ` (line ${issue.line})` : ''}`,
        ),
      };
    if (error instanceof SyntaxError) return { problems: [`not JSON: ${error.message}`] };
    return { problems: [messageOf(error)] };
  }
}
