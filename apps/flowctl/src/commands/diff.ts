import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { dump } from 'js-yaml';
import type { WorkflowDefinition } from '@flowctl/core';
import { ApiError, segment } from '../api-client';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { eachValidWorkflow } from './lint';

/** Exit codes as `diff` and `kubectl diff` use them: a difference is not a failure, but scripts must see it. */
export const DiffExit = { Same: 0, Different: 1, Invalid: 2 } as const;

/**
 * `flowctl diff`: what applying these files would change, as a unified diff of
 * each stored definition against the file's. Both sides are the validated
 * definition (defaults filled, keys sorted), the same content apply compares
 * to decide `unchanged`, so "no difference" means apply would answer unchanged.
 */
export function registerDiffCommand(program: Command, context: CommandContext): void {
  program
    .command('diff')
    .description('show what apply would change: each workflow on the server against the file')
    .argument('<paths...>', 'workflow files or directories, or - for stdin')
    .addHelpText('after', '\nExit code: 0 no differences, 1 differences, 2 an invalid file (as diff and kubectl diff).')
    .action(async (paths: string[]) => {
      context.exitCode = (await diffWorkflows(context, paths)) as ExitCode;
    });
}

export async function diffWorkflows(context: CommandContext, paths: readonly string[]): Promise<number> {
  let different = false;
  const { invalid } = await eachValidWorkflow(context, paths, async (definition, document) => {
    const { name, namespace } = definition.metadata;
    const stored = await storedDefinition(context, name, namespace);
    const label = `workflow/${name}${namespace === 'default' ? '' : ` (namespace ${namespace})`}`;
    const before = stored ? definitionText(stored.definition) : '';
    const after = definitionText(definition);
    if (before === after) return;
    different = true;
    const from = stored ? `${label} version ${stored.version} (server)` : `${label} (not on the server)`;
    context.out(createTwoFilesPatch(from, `${label} (${document.label})`, before, after, undefined, undefined, { context: 3 }));
  });
  if (invalid) return DiffExit.Invalid;
  return different ? DiffExit.Different : DiffExit.Same;
}

async function storedDefinition(
  context: CommandContext,
  name: string,
  namespace: string,
): Promise<{ version: number; definition: WorkflowDefinition } | undefined> {
  try {
    return await context.api().get(`/workflows/${segment(name)}`, { namespace });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Sorted keys: the server keeps definitions as JSONB, which does not keep the file's key order. */
function definitionText(definition: WorkflowDefinition): string {
  return dump(definition, { sortKeys: true, lineWidth: 120, noRefs: true });
}
