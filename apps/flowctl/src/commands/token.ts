import { Command, Option } from 'commander';
import type { ApiToken } from '../api-shapes';
import type { CommandContext } from '../command-context';
import { InvalidInput } from '../errors';
import { ExitCode } from '../exit-codes';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { tokensTable } from '../output/resource-tables';

const ROLES = ['viewer', 'operator', 'admin', 'worker', 'emitter'] as const;

interface CreateOptions {
  role: (typeof ROLES)[number];
  namespace: string[];
  name?: string;
  expires?: string;
  output: OutputFormat;
}

/** `flowctl token create|list|revoke`: API tokens, managed by an admin. */
export function registerTokenCommands(program: Command, context: CommandContext): void {
  const token = program.command('token').description('API tokens (admin): create one, list them, revoke one');

  token
    .command('create')
    .description('create a token and print it once: it cannot be shown again')
    .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory())
    .option('--namespace <ns>', 'limit the token to this namespace (repeat for several; default: every namespace)', collect, [])
    .option('--name <name>', 'a name to recognise it by in lists and the audit log')
    .option('--expires <duration>', 'expire after this long: 12h, 30d, ...')
    .addOption(outputOption())
    .action(async (options: CreateOptions) => {
      context.exitCode = await createToken(context, options);
    });

  token
    .command('list')
    .description('list tokens (never the tokens themselves)')
    .addOption(outputOption())
    .action(async (options: { output: OutputFormat }) => {
      const page = await context.api().list<ApiToken>('/tokens', {}, { all: true });
      if (options.output !== 'table') context.out(formatDocument(options.output, page.items));
      else if (page.items.length === 0) context.err('No tokens found.\n');
      else context.out(tokensTable(page.items, context.now()));
      context.exitCode = ExitCode.Success;
    });

  token
    .command('revoke')
    .description('revoke a token: refused from its next request on')
    .argument('<id>', 'the token id (from flowctl token list)')
    .action(async (id: string) => {
      await context.api().routes.revokeToken({ id });
      context.out(`token/${id} revoked\n`);
      context.exitCode = ExitCode.Success;
    });
}

export async function createToken(context: CommandContext, options: CreateOptions): Promise<ExitCode> {
  if (options.expires !== undefined && !/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(options.expires))
    throw new InvalidInput(`--expires "${options.expires}" should be a duration such as 12h or 30d`);
  const created = await context.api().routes.createToken({
    body: {
      role: options.role,
      namespaces: options.namespace.length > 0 ? options.namespace : undefined,
      name: options.name,
      expiresIn: options.expires,
    },
  });
  if (options.output !== 'table') {
    context.out(formatDocument(options.output, created));
    return ExitCode.Success;
  }
  context.out(`${created.token}\n`);
  context.err(
    `token/${created.id} "${created.name}" created: role ${created.role}, namespaces ${created.namespaces.join(',')}` +
      `${created.expiresAt ? `, expires ${created.expiresAt}` : ''}.\nThis is the only time it is shown: keep it now (FLOWCTL_TOKEN=...).\n`,
  );
  return ExitCode.Success;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
