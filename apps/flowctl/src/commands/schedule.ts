import { Command } from 'commander';
import type { Schedule } from '@flowctl/api-contract';
import type { CommandContext } from '../command-context';
import { InvalidInput } from '../errors';
import { ExitCode } from '../exit-codes';
import { namespaceOption } from '../namespace-option';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';

type ScheduleView = Schedule;

/** `flowctl schedule show|pause|resume NAME` and `flowctl backfill NAME --from --to`. */
export function registerScheduleCommands(program: Command, context: CommandContext): void {
  const schedule = program.command('schedule').description("a workflow's cron schedule");
  schedule
    .command('show')
    .argument('<workflow>', 'the workflow')
    .addOption(outputOption())
    .addOption(namespaceOption())
    .action(async (name: string, options: { output: OutputFormat; namespace?: string }) => {
      const view = await context.api().routes.getSchedule({ name, namespace: context.namespace(options.namespace) });
      context.out(options.output === 'table' ? describeSchedule(name, view) : formatDocument(options.output, view));
    });
  for (const action of ['pause', 'resume'] as const) {
    schedule
      .command(action)
      .description(action === 'pause' ? 'stop firing ticks' : 'fire ticks again, from the next one after now')
      .argument('<workflow>', 'the workflow')
      .addOption(namespaceOption())
      .action(async (name: string, options: { namespace?: string }) => {
        const view = await context.api().routes[action === 'pause' ? 'pauseSchedule' : 'resumeSchedule']({
          name,
          namespace: context.namespace(options.namespace),
        });
        context.out(`schedule/${name} ${action === 'pause' ? 'paused' : `resumed (next tick ${view.nextFireAt ?? '-'})`}\n`);
        context.exitCode = ExitCode.Success;
      });
  }

  program
    .command('backfill')
    .description('start one run per schedule tick in (from, to]; ticks that already have a run are skipped')
    .argument('<workflow>', 'the workflow')
    .requiredOption('--from <time>', 'start of the range (ISO 8601, exclusive)')
    .requiredOption('--to <time>', 'end of the range (ISO 8601, inclusive)')
    .addOption(outputOption())
    .addOption(namespaceOption())
    .action(async (name: string, options: { from: string; to: string; output: OutputFormat; namespace?: string }) => {
      for (const [flag, value] of [
        ['--from', options.from],
        ['--to', options.to],
      ] as const) {
        if (Number.isNaN(Date.parse(value))) throw new InvalidInput(`${flag} must be an ISO 8601 time such as 2026-01-31T00:00:00Z`);
      }
      const result = await context.api().routes.backfillSchedule({
        name,
        namespace: context.namespace(options.namespace),
        body: { from: options.from, to: options.to },
      });
      if (options.output !== 'table') {
        context.out(formatDocument(options.output, result.items));
        return;
      }
      for (const item of result.items) context.out(`${item.tick}  run/${item.runId}  ${item.created ? 'started' : 'already there'}\n`);
      context.out(`${result.items.filter((item) => item.created).length} of ${result.items.length} tick(s) started\n`);
    });
}

function describeSchedule(name: string, view: ScheduleView): string {
  return [
    `Workflow:   ${name}`,
    `Cron:       ${view.cron} (${view.timezone})`,
    `Overlap:    ${view.overlap}`,
    `Paused:     ${view.paused ? 'yes' : 'no'}`,
    `Next tick:  ${view.nextFireAt ?? '-'}`,
    `Last tick:  ${view.lastFiredAt ?? '-'}`,
    '',
  ].join('\n');
}
