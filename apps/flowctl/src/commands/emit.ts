import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../command-context';
import { InvalidInput, messageOf } from '../errors';
import { ExitCode } from '../exit-codes';
import { namespaceOption } from '../namespace-option';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';

interface EmitOptions {
  data?: string;
  dataFile?: string;
  id?: string;
  output: OutputFormat;
  namespace?: string;
}

export function registerEmitCommand(program: Command, context: CommandContext): void {
  program
    .command('emit')
    .description('send an event: every workflow whose spec.on trigger matches starts a run')
    .argument('<name>', 'the event name, e.g. order.created')
    .option('--data <json>', "the event's data, as JSON")
    .option('--data-file <file>', "the event's data, from a JSON file")
    .option('--id <id>', 'the event id (default: a hash of name and data); sending the same id again starts nothing twice')
    .addOption(outputOption())
    .addOption(namespaceOption())
    .action(async (name: string, options: EmitOptions) => {
      context.exitCode = await emitEvent(context, name, options);
    });
}

export async function emitEvent(context: CommandContext, name: string, options: EmitOptions): Promise<ExitCode> {
  const data = readData(options, (path) => readFileSync(path, 'utf8'));
  const event = await context.api().routes.emitEvent({
    namespace: context.namespace(options.namespace),
    body: { name, ...(options.id !== undefined ? { id: options.id } : {}), data },
  });
  if (options.output !== 'table') {
    context.out(formatDocument(options.output, event));
    return ExitCode.Success;
  }
  const lines = [`event/${event.id} ${event.outcome}`];
  for (const run of event.runs) lines.push(`  run/${run.runId} (${run.workflow})`);
  if (event.reason) lines.push(`  ${event.reason}`);
  if (event.outcome === 'unmatched') lines.push('  no workflow of the namespace has a trigger that matches it');
  context.out(`${lines.join('\n')}\n`);
  return event.outcome === 'rejected' ? ExitCode.Failure : ExitCode.Success;
}

export function readData(options: Pick<EmitOptions, 'data' | 'dataFile'>, readFile: (path: string) => string): unknown {
  if (options.data !== undefined && options.dataFile !== undefined) throw new InvalidInput('give --data or --data-file, not both');
  const text = options.data ?? (options.dataFile !== undefined ? readFile(options.dataFile) : undefined);
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInput(
      `${options.data !== undefined ? '--data' : `--data-file ${options.dataFile}`} is not valid JSON: ${messageOf(error)}`,
    );
  }
}
