import type { Command } from 'commander';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ApiError } from '../api-client';
import type { ApplyResult } from '../api-shapes';
import { readAll } from '../cli-io';
import type { CommandContext } from '../command-context';
import { InvalidInput, messageOf } from '../errors';
import { ExitCode, isInvalidInputStatus } from '../exit-codes';
import { splitYamlDocuments } from '../yaml-documents';

const WORKFLOW_FILE = /\.(ya?ml|json)$/i;

/** One file's text to apply (or why it could not be read), named the way messages should name it. */
export type ApplySource = { label: string; text: string; isJson: boolean } | { label: string; problem: string };

export function registerApplyCommand(program: Command, context: CommandContext): void {
  program
    .command('apply')
    .description('create or update workflows from YAML (or JSON) definitions')
    .argument('[file]', 'a workflow file (same as -f FILE)')
    .option(
      '-f, --filename <path>',
      'a file, a directory (its *.yaml, *.yml and *.json files), or - for stdin; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--dry-run', 'validate on the server and say what apply would do (created, configured, unchanged), storing nothing')
    .addHelpText('after', '\nA file may hold several workflows separated by --- lines; each is applied on its own.')
    .action(async (file: string | undefined, options: { filename?: string[]; dryRun?: boolean }) => {
      context.exitCode = await applyWorkflows(context, [...(file === undefined ? [] : [file]), ...(options.filename ?? [])], {
        dryRun: options.dryRun === true,
      });
    });
}

export async function applyWorkflows(
  context: CommandContext,
  paths: readonly string[],
  options: { dryRun?: boolean } = {},
): Promise<ExitCode> {
  if (paths.length === 0) throw new InvalidInput('nothing to apply: give a file (flowctl apply FILE) or -f FILE|DIR|-');
  let invalid = false;
  let failed = false;

  for (const path of paths) {
    const read = await workflowDocuments(path, context);
    invalid ||= read.invalid;
    for (const { label, document, isJson } of read.documents) {
      try {
        const { body } = await context.api().send<ApplyResult>('PUT', '/workflows', {
          raw: { body: document, contentType: isJson ? 'application/json' : 'application/yaml' },
          query: options.dryRun ? { dryRun: 'true' } : undefined,
        });
        context.out(`${describeApplied(body)}${options.dryRun ? ' (dry run: nothing stored)' : ''}\n`);
      } catch (error) {
        // The server is unreachable for the other files too: stop here (exit 1).
        if (!(error instanceof ApiError)) throw error;
        context.err(`${label}: ${error.message}\n`);
        if (isInvalidInputStatus(error.status)) invalid = true;
        else failed = true;
      }
    }
  }
  if (invalid) return ExitCode.Usage;
  return failed ? ExitCode.Failure : ExitCode.Success;
}

/** One workflow document of a file, named the way messages should name it. */
export interface WorkflowDocument {
  label: string;
  document: string;
  isJson: boolean;
}

/**
 * The workflow documents under a path (a file, a directory's workflow files, or `-`), each YAML
 * file split at its `---` lines; what cannot be read is reported on stderr and counted invalid.
 */
export async function workflowDocuments(
  path: string,
  context: CommandContext,
): Promise<{ documents: WorkflowDocument[]; invalid: boolean }> {
  let sources: ApplySource[];
  try {
    sources = await readSources(path, context);
  } catch (error) {
    context.err(`${path}: ${messageOf(error)}\n`);
    return { documents: [], invalid: true };
  }
  let invalid = false;
  const documents: WorkflowDocument[] = [];
  for (const source of sources) {
    if ('problem' in source) {
      context.err(`${source.label}: ${source.problem}\n`);
      invalid = true;
      continue;
    }
    const texts = source.isJson ? [source.text] : splitYamlDocuments(source.text);
    if (texts.length === 0 || texts.every((text) => text.trim() === '')) {
      context.err(`${source.label}: no workflow definition in it\n`);
      invalid = true;
      continue;
    }
    for (const [index, document] of texts.entries())
      documents.push({
        label: texts.length > 1 ? `${source.label} (document ${index + 1})` : source.label,
        document,
        isJson: source.isJson,
      });
  }
  return { documents, invalid };
}

/** `workflow/etl-daily created (version 3)`, as kubectl reports an apply. */
export function describeApplied(result: ApplyResult): string {
  const namespace = result.namespace && result.namespace !== 'default' ? `, namespace ${result.namespace}` : '';
  return `workflow/${result.name} ${result.result} (version ${result.version}${namespace})`;
}

/** `-` is stdin; a directory gives its workflow files, sorted, not recursing. */
async function readSources(path: string, context: CommandContext): Promise<ApplySource[]> {
  if (path === '-') return [{ label: '<stdin>', text: await readAll(context.io.stdin), isJson: false }];

  const info = await stat(path).catch((error: unknown) => {
    throw new InvalidInput(`cannot read: ${systemReason(error)}`);
  });
  if (!info.isDirectory()) return [await readSource(path)];

  const names = (await readdir(path)).filter((name) => WORKFLOW_FILE.test(name)).sort();
  const files: string[] = [];
  for (const name of names) {
    const file = join(path, name);
    if ((await stat(file)).isFile()) files.push(file);
  }
  if (files.length === 0) throw new InvalidInput('no *.yaml, *.yml or *.json files in this directory');
  return Promise.all(files.map(readSource));
}

async function readSource(file: string): Promise<ApplySource> {
  try {
    return { label: file, text: await readFile(file, 'utf8'), isJson: extname(file).toLowerCase() === '.json' };
  } catch (error) {
    return { label: file, problem: `cannot read: ${systemReason(error)}` };
  }
}

function systemReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return messageOf(error);
}
