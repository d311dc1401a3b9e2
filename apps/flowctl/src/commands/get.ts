import { Argument, Command, Option } from 'commander';
import { ApiError, segment, type Query } from '../api-client';
import { AuditEntry, DeadLetter, Page, ReceivedEvent, Run, RunStatus, TERMINAL_RUN_STATUSES, Worker, WorkflowSummary } from '../api-shapes';
import type { CommandContext } from '../command-context';
import { assertRunInNamespace, namespaceOption } from '../namespace-option';
import { parsePositiveInteger } from '../option-parsers';
import { InvalidInput } from '../errors';
import { ExitCode } from '../exit-codes';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { auditTable, deadLettersTable, eventsTable, runsTable, workersTable, workflowsTable } from '../output/resource-tables';

export type ResourceKind = 'workflows' | 'runs' | 'workers' | 'dead-letters' | 'audit' | 'events';

/** Every spelling `get` accepts, kubectl-style: plural, singular, and the short `dlq`. */
const RESOURCE_ALIASES: Record<string, ResourceKind> = {
  workflows: 'workflows',
  workflow: 'workflows',
  runs: 'runs',
  run: 'runs',
  workers: 'workers',
  worker: 'workers',
  'dead-letters': 'dead-letters',
  'dead-letter': 'dead-letters',
  dlq: 'dead-letters',
  audit: 'audit',
  events: 'events',
  event: 'events',
};

const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', ...TERMINAL_RUN_STATUSES];

/** How to list, find and print one kind of resource. */
interface Resource {
  path: string;
  /** For messages: `run "x" not found`, `No dead letters found.` */
  singular: string;
  plural: string;
  idOf: (item: unknown) => string;
  table: (items: readonly unknown[], now: Date) => string;
  /** Whether the API has `GET path/:id`; otherwise one item is found in the list. */
  hasItemEndpoint: boolean;
  /** Whether its objects live in namespaces (workers and the audit log are cluster-wide). */
  namespaced: boolean;
}

interface ResourceDefinition<T> extends Omit<Resource, 'idOf' | 'table'> {
  idOf: (item: T) => string;
  table: (items: readonly T[], now: Date) => string;
}

// The API's answers are taken to have their documented shape; the tables tolerate missing fields.
const resource = <T>(definition: ResourceDefinition<T>): Resource => ({
  ...definition,
  idOf: (item) => definition.idOf(item as T),
  table: (items, now) => definition.table(items as readonly T[], now),
});

const RESOURCES: Record<ResourceKind, Resource> = {
  workflows: resource<WorkflowSummary>({
    path: '/workflows',
    singular: 'workflow',
    plural: 'workflows',
    idOf: (workflow) => workflow.name,
    table: workflowsTable,
    hasItemEndpoint: true,
    namespaced: true,
  }),
  runs: resource<Run>({
    path: '/runs',
    singular: 'run',
    plural: 'runs',
    idOf: (run) => run.id,
    table: runsTable,
    hasItemEndpoint: true,
    namespaced: true,
  }),
  workers: resource<Worker>({
    path: '/workers',
    singular: 'worker',
    plural: 'workers',
    idOf: (worker) => worker.id,
    table: workersTable,
    hasItemEndpoint: false,
    namespaced: false,
  }),
  'dead-letters': resource<DeadLetter>({
    path: '/dead-letters',
    singular: 'dead letter',
    plural: 'dead letters',
    idOf: (deadLetter) => String(deadLetter.id),
    table: deadLettersTable,
    hasItemEndpoint: false,
    namespaced: true,
  }),
  events: resource<ReceivedEvent>({
    path: '/events',
    singular: 'event',
    plural: 'events',
    idOf: (event) => event.id,
    table: eventsTable,
    hasItemEndpoint: true,
    namespaced: true,
  }),
  audit: resource<AuditEntry>({
    path: '/audit',
    singular: 'audit entry',
    plural: 'audit entries',
    idOf: (entry) => String(entry.id),
    table: auditTable,
    hasItemEndpoint: false,
    namespaced: false,
  }),
};

export interface GetOptions {
  output: OutputFormat;
  workflow?: string;
  status?: RunStatus;
  type?: string;
  limit?: number;
  all?: boolean;
  namespace?: string;
}

export function resourceKindOf(name: string): ResourceKind | undefined {
  return RESOURCE_ALIASES[name];
}

export function registerGetCommand(program: Command, context: CommandContext): void {
  program
    .command('get')
    .description('list workflows, runs, workers, dead letters or the audit log, or show one')
    .addArgument(
      new Argument('<resource>', 'workflows | runs | workers | dead-letters (or dlq) | audit | events').choices(
        Object.keys(RESOURCE_ALIASES),
      ),
    )
    .argument('[name]', 'show only this one (a workflow name, a run id, ...)')
    .addOption(outputOption())
    .option('--workflow <name>', 'runs and dead letters: only those of this workflow')
    .option('--type <type>', 'dead letters: only tasks of this type')
    .addOption(new Option('--status <status>', 'runs: only runs in this status').choices(RUN_STATUSES))
    .addOption(new Option('--limit <n>', 'at most this many per page').argParser(parsePositiveInteger))
    .option('--all', 'follow every page instead of stopping after the first')
    .addOption(namespaceOption())
    .action(async (kind: string, name: string | undefined, options: GetOptions) => {
      context.exitCode = await getResources(context, RESOURCE_ALIASES[kind] ?? 'workflows', name, options);
    });
}

export async function getResources(
  context: CommandContext,
  kind: ResourceKind,
  name: string | undefined,
  options: GetOptions,
): Promise<ExitCode> {
  if (kind !== 'runs' && options.status !== undefined) throw new InvalidInput(`--status filters runs only, not ${RESOURCES[kind].plural}`);
  if (kind !== 'runs' && kind !== 'dead-letters' && options.workflow !== undefined) {
    throw new InvalidInput(`--workflow filters runs and dead letters only, not ${RESOURCES[kind].plural}`);
  }
  if (kind !== 'dead-letters' && options.type !== undefined)
    throw new InvalidInput(`--type filters dead letters only, not ${RESOURCES[kind].plural}`);
  const resource = RESOURCES[kind];
  if (!resource.namespaced && options.namespace !== undefined)
    throw new InvalidInput(`${resource.plural} are cluster-wide: --namespace does not apply to them`);
  const namespace = resource.namespaced ? context.namespace(options.namespace) : undefined;
  const now = context.now();

  if (name !== undefined) {
    const item = await getOne(context, resource, name, namespace);
    context.out(options.output === 'table' ? resource.table([item], now) : formatDocument(options.output, item));
    return ExitCode.Success;
  }

  const query: Query = { namespace, workflow: options.workflow, status: options.status, type: options.type, limit: options.limit };
  const page = await context.api().list<unknown>(resource.path, query, { all: options.all });
  if (options.output !== 'table') {
    context.out(formatDocument(options.output, page.items));
    return ExitCode.Success;
  }
  if (page.items.length === 0) context.err(`No ${resource.plural} found.\n`);
  else context.out(resource.table(page.items, now));
  if (page.nextCursor) context.err(`(more ${resource.plural} on later pages: add --all to list them all)\n`);
  return ExitCode.Success;
}

async function getOne(context: CommandContext, resource: Resource, name: string, namespace: string | undefined): Promise<unknown> {
  if (resource === RESOURCES.runs) {
    const run = await context.api().get<Run>(`/runs/${segment(name)}`);
    assertRunInNamespace(run, name, namespace);
    return run;
  }
  if (resource.hasItemEndpoint) return context.api().get<unknown>(`${resource.path}/${segment(name)}`, { namespace });
  const page: Page<unknown> = await context.api().list<unknown>(resource.path, { namespace }, { all: true });
  const item = page.items.find((candidate) => resource.idOf(candidate) === name);
  if (item === undefined) throw new ApiError(404, `${resource.singular} "${name}" not found`, 'Not Found');
  return item;
}
