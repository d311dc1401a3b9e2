import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { readAll } from '../cli-io';
import type { CommandContext } from '../command-context';
import { InvalidInput } from '../errors';
import { ExitCode } from '../exit-codes';
import { namespaceOption } from '../namespace-option';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { formatTable } from '../output/table';
import { formatAge } from '../output/time';

interface SetOptions {
  namespace?: string;
  fromLiteral?: string;
  fromFile?: string;
}

/**
 * `flowctl secret set|list|delete`. A value is sent once, to the server, and
 * never printed: not on success, not in an error.
 */
export function registerSecretCommands(program: Command, context: CommandContext): void {
  const secret = program.command('secret').description('secrets that tasks read as {{ secrets.NAME }}, stored encrypted');
  secret
    .command('set')
    .description('create or replace a secret; the value comes from stdin (one trailing newline dropped), --from-literal or --from-file')
    .argument('<name>', 'the secret name (letters, digits and _)')
    .addOption(namespaceOption())
    .option('--from-literal <value>', 'the value itself (visible in your shell history: prefer stdin)')
    .option('--from-file <path>', 'read the value from a file, byte for byte')
    .action(async (name: string, options: SetOptions) => {
      const value = await readValue(context, name, options);
      const result = await context.api().routes.setSecret({ name, namespace: context.namespace(options.namespace), body: { value } });
      context.out(`secret/${name} ${result.result}\n`);
      context.exitCode = ExitCode.Success;
    });
  secret
    .command('list')
    .description('the secrets of a namespace: names and dates, never values')
    .addOption(namespaceOption())
    .addOption(outputOption())
    .action(async (options: { namespace?: string; output: OutputFormat }) => {
      const { items } = await context.api().routes.listSecrets({ namespace: context.namespace(options.namespace) });
      if (options.output !== 'table') return context.out(formatDocument(options.output, items));
      if (items.length === 0) return context.err('no secrets\n');
      const now = context.now();
      context.out(
        formatTable(
          ['NAME', 'CREATED', 'UPDATED', 'KEY'],
          items.map((item) => [item.name, formatAge(item.createdAt, now), formatAge(item.updatedAt, now), item.keyId]),
        ),
      );
    });
  secret
    .command('delete')
    .description('delete a secret; tasks that read it then fail as SecretNotFound')
    .argument('<name>', 'the secret name')
    .addOption(namespaceOption())
    .action(async (name: string, options: { namespace?: string }) => {
      await context.api().routes.deleteSecret({ name, namespace: context.namespace(options.namespace) });
      context.out(`secret/${name} deleted\n`);
    });
}

async function readValue(context: CommandContext, name: string, options: SetOptions): Promise<string> {
  if (options.fromLiteral !== undefined && options.fromFile !== undefined)
    throw new InvalidInput('give the value one way: --from-literal or --from-file (or stdin)');
  let value: string;
  if (options.fromLiteral !== undefined) value = options.fromLiteral;
  else if (options.fromFile !== undefined) {
    try {
      value = await readFile(options.fromFile, 'utf8');
    } catch (error) {
      throw new InvalidInput(`cannot read ${options.fromFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else if ((context.io.stdin as { isTTY?: boolean }).isTTY) value = await promptHidden(context, `value of ${name} (hidden): `);
  // `echo value | flowctl secret set` sends a newline nobody meant as part of the value.
  else value = (await readAll(context.io.stdin)).replace(/\r?\n$/, '');
  if (value.length === 0) throw new InvalidInput(`the value of ${name} is empty`);
  return value;
}

/** Reads one line from a terminal without echoing it: the typed characters go to a sink. */
async function promptHidden(context: CommandContext, prompt: string): Promise<string> {
  context.err(prompt);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: context.io.stdin, output: sink, terminal: true });
  try {
    return await new Promise<string>((resolve) => reader.question('', resolve));
  } finally {
    reader.close();
    context.err('\n');
  }
}
