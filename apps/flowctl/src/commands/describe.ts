import { Argument, Command } from 'commander';
import { segment } from '../api-client';
import { NotificationDelivery, Run, RunEvent, WorkflowSummary, errorMessageOf, workflowNameOf } from '../api-shapes';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { assertRunInNamespace, namespaceOption } from '../namespace-option';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { formatTable, truncate } from '../output/table';
import { formatAge, formatDurationBetween } from '../output/time';
import { formatYaml } from '../output/yaml';

/** Enough history to see how a run ended without scrolling past its whole life. */
const EVENTS_SHOWN = 20;
const DETAILS_COLUMN_WIDTH = 80;

const DESCRIBABLE: Record<string, 'run' | 'workflow'> = { run: 'run', runs: 'run', workflow: 'workflow', workflows: 'workflow' };

export function registerDescribeCommand(program: Command, context: CommandContext): void {
  program
    .command('describe')
    .description('show a run in detail (tasks, errors, recent events) or a workflow with its spec')
    .addArgument(new Argument('<resource>', 'run | workflow').choices(Object.keys(DESCRIBABLE)))
    .argument('<id>', 'the run id or workflow name')
    .addOption(outputOption())
    .addOption(namespaceOption())
    .action(async (kind: string, id: string, options: { output: OutputFormat; namespace?: string }) => {
      const namespace = context.namespace(options.namespace);
      context.exitCode =
        DESCRIBABLE[kind] === 'workflow'
          ? await describeWorkflow(context, id, options.output, namespace)
          : await describeRun(context, id, options.output, namespace);
    });
}

export async function describeRun(context: CommandContext, id: string, output: OutputFormat, namespace?: string): Promise<ExitCode> {
  const run: Run = await context.api().routes.getRun({ id });
  assertRunInNamespace(run, id, namespace);
  const events = await context.api().list<RunEvent>(`/runs/${segment(id)}/events`, {}, { all: true });
  const notifications = await context.api().list<NotificationDelivery>(`/runs/${segment(id)}/notifications`, {}, { all: true });
  if (output !== 'table') {
    context.out(formatDocument(output, { ...run, events: events.items, notifications: notifications.items }));
    return ExitCode.Success;
  }
  context.out(formatRunDescription(run, events.items, context.now(), notifications.items));
  return ExitCode.Success;
}

/** The human view: a header block, the tasks, why failed tasks failed, the latest events. */
export function formatRunDescription(
  run: Run,
  events: readonly RunEvent[],
  now: Date,
  notifications: readonly NotificationDelivery[] = [],
): string {
  const workflow = workflowNameOf(run.workflow) || '-';
  const lines = [
    field('ID', run.id),
    field('Workflow', run.version === undefined ? workflow : `${workflow} (version ${run.version})`),
    field('Status', run.status),
    field('Created', timestamp(run.createdAt, now)),
    field('Started', timestamp(run.startedAt, now)),
    field('Finished', timestamp(run.finishedAt, now)),
    field('Duration', formatDurationBetween(run.startedAt, run.finishedAt, now)),
  ];
  if (run.event)
    lines.push(
      field(
        'Started by',
        `event ${run.event.name} (id ${run.event.id}, from ${run.event.source}, ${timestamp(run.event.receivedAt, now)})`,
      ),
    );
  const inputs = run.inputs && Object.keys(run.inputs).length > 0 ? indent(formatYaml(run.inputs)) : '  <none>\n';
  let text = `${lines.join('\n')}\nInputs:\n${inputs}`;

  const tasks = run.tasks ?? [];
  text += '\nTasks:\n';
  text +=
    tasks.length === 0
      ? '  <none>\n'
      : indent(
          formatTable(
            ['NAME', 'TYPE', 'STATUS', 'ATTEMPT', 'STARTED', 'DURATION', 'WORKER'],
            tasks.map((task) => [
              task.name,
              task.type ?? '-',
              task.status,
              String(task.attempt ?? '-'),
              formatAge(task.startedAt, now),
              formatDurationBetween(task.startedAt, task.finishedAt, now),
              task.workerId ?? '-',
            ]),
          ),
        );

  const failures = tasks.filter((task) => task.error);
  if (failures.length > 0) {
    text += '\nErrors:\n';
    for (const task of failures) {
      const attempt = task.attempt === undefined ? '' : ` (attempt ${task.attempt})`;
      text += `  ${task.name}${attempt}: ${errorMessageOf(task.error).replace(/\n/g, '\n    ')}\n`;
    }
  }

  if (notifications.length > 0) text += `\nNotifications:\n${indent(formatNotifications(notifications, now))}`;

  const shown = events.slice(-EVENTS_SHOWN);
  text += `\n${shown.length < events.length ? `Events (last ${shown.length} of ${events.length}):` : 'Events:'}\n`;
  text +=
    shown.length === 0
      ? '  <none>\n'
      : indent(
          formatTable(
            ['AGE', 'TYPE', 'TASK', 'ATTEMPT', 'DETAILS'],
            shown.map((event) => [
              formatAge(event.at, now),
              event.type,
              event.task ?? '-',
              event.attempt == null ? '-' : String(event.attempt),
              event.details == null
                ? ''
                : truncate(typeof event.details === 'string' ? event.details : JSON.stringify(event.details), DETAILS_COLUMN_WIDTH),
            ]),
          ),
        );
  return text;
}

/** One line per delivery of spec.notify: where it went, how it stands, and the last answer. */
function formatNotifications(notifications: readonly NotificationDelivery[], now: Date): string {
  return formatTable(
    ['EVENT', 'DESTINATION', 'FORMAT', 'STATUS', 'ATTEMPTS', 'LAST ANSWER', 'NEXT ATTEMPT'],
    notifications.map((delivery) => {
      const last = delivery.attempts.at(-1);
      const answer = !last ? '-' : last.statusCode !== null ? `${last.statusCode} (${last.durationMs} ms)` : (last.error ?? '-');
      return [
        delivery.event,
        delivery.destination,
        delivery.signed ? `${delivery.format}, signed` : delivery.format,
        delivery.status,
        String(delivery.attempts.length),
        truncate(answer, DETAILS_COLUMN_WIDTH),
        delivery.nextAttemptAt ? `in ${formatAge(now.toISOString(), new Date(delivery.nextAttemptAt))}` : '-',
      ];
    }),
  );
}

export async function describeWorkflow(
  context: CommandContext,
  name: string,
  output: OutputFormat,
  inNamespace?: string,
): Promise<ExitCode> {
  const workflow: WorkflowSummary = await context.api().routes.getWorkflow({ name, namespace: inNamespace });
  if (output !== 'table') {
    context.out(formatDocument(output, workflow));
    return ExitCode.Success;
  }
  const now = context.now();
  const { name: workflowName, namespace, version, createdAt, updatedAt, versions, spec } = workflow;
  let text = [
    field('Name', workflowName),
    field('Namespace', namespace ?? 'default'),
    field('Version', version === undefined ? '-' : String(version)),
    field('Created', timestamp(createdAt, now)),
    field('Updated', timestamp(updatedAt, now)),
  ].join('\n');
  if (Array.isArray(versions)) text += `\n${field('Versions', String(versions.length))}`;
  text += `\nSpec:\n${spec === undefined ? '  <none>\n' : indent(formatYaml(spec))}`;
  context.out(text);
  return ExitCode.Success;
}

const field = (label: string, value: string): string => `${`${label}:`.padEnd(11)} ${value}`;

function timestamp(at: string | null | undefined, now: Date): string {
  return at ? `${at} (${formatAge(at, now)} ago)` : '-';
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
