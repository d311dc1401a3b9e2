import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../command-context';
import { InvalidInput, messageOf } from '../errors';
import { ExitCode } from '../exit-codes';
import { namespaceOption } from '../namespace-option';
import { parseCliDuration } from '../option-parsers';
import { formatElapsed } from '../output/time';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { describeTaskChange, waitForRun } from '../watch-run';

interface EmitOptions {
  data?: string;
  dataFile?: string;
  id?: string;
  output: OutputFormat;
  namespace?: string;
  wait?: boolean;
  timeout?: number;
}

/**
 * The runs of an accepted event are created right after the answer, and by the leader within about a
 * minute if the scheduler that accepted it died first: until then, a run's 404 means "not yet".
 */
const RUNS_APPEAR_WITHIN_MS = 90_000;

export function registerEmitCommand(program: Command, context: CommandContext): void {
  program
    .command('emit')
    .description('send an event: every workflow whose spec.on trigger matches starts a run')
    .argument('<name>', 'the event name, e.g. order.created')
    .option('--data <json>', "the event's data, as JSON")
    .option('--data-file <file>', "the event's data, from a JSON file")
    .option('--id <id>', 'the event id (default: a hash of name and data); sending the same id again starts nothing twice')
    .option('--wait', 'follow the runs it starts until they end; exit 0 only if all of them succeeded')
    .addOption(
      new Option('--timeout <duration>', 'stop waiting after this long, e.g. 30s or 10m (implies --wait)').argParser(parseCliDuration),
    )
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
  const waiting = options.wait === true || options.timeout !== undefined;
  if (options.output !== 'table' && !waiting) {
    context.out(formatDocument(options.output, event));
    return ExitCode.Success;
  }
  const lines = [`event/${event.id} ${event.outcome}`];
  for (const run of event.runs) lines.push(`  run/${run.runId} (${run.workflow})`);
  if (event.reason) lines.push(`  ${event.reason}`);
  if (event.outcome === 'unmatched') lines.push('  no workflow of the namespace has a trigger that matches it');
  // Progress is for people: on stdout in table mode, on stderr when stdout is a JSON/YAML document.
  const progress = (text: string): void => (options.output === 'table' ? context.out(text) : context.err(text));
  progress(`${lines.join('\n')}\n`);
  if (!waiting || event.outcome === 'rejected') {
    if (options.output !== 'table') context.out(formatDocument(options.output, event));
    return event.outcome === 'rejected' ? ExitCode.Failure : ExitCode.Success;
  }
  return waitForEventRuns(context, event.runs, options);
}

/** Follows every run of the event at once, each line prefixed with its workflow; succeeds only if all of them did. */
async function waitForEventRuns(context: CommandContext, runs: readonly { workflow: string; runId: string }[], options: EmitOptions) {
  const progress = (text: string): void => (options.output === 'table' ? context.out(text) : context.err(text));
  const outcomes = await Promise.all(
    runs.map(async ({ workflow, runId }) => {
      const outcome = await waitForRun(context.api(), runId, {
        timeoutMs: options.timeout,
        appearsWithinMs: RUNS_APPEAR_WITHIN_MS,
        onTaskChange: (change) => progress(`${workflow}: ${describeTaskChange(change)}\n`),
      });
      if (outcome.kind === 'timed-out') {
        context.err(
          `error: gave up waiting for run/${runId} after ${formatElapsed(options.timeout ?? 0)}` +
            `${outcome.run ? ` (status ${outcome.run.status})` : ''}; it goes on on the server\n`,
        );
        return { ok: false, run: outcome.run };
      }
      progress(`run/${runId} (${workflow}) ${outcome.run.status}\n`);
      return { ok: outcome.run.status === 'succeeded', run: outcome.run };
    }),
  );
  if (options.output !== 'table')
    context.out(
      formatDocument(
        options.output,
        outcomes.flatMap(({ run }) => (run ? [run] : [])),
      ),
    );
  return outcomes.every(({ ok }) => ok) ? ExitCode.Success : ExitCode.Failure;
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
