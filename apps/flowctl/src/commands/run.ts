import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../command-context';
import { namespaceOption } from '../namespace-option';
import { parseCliDuration } from '../option-parsers';
import { ExitCode } from '../exit-codes';
import { formatDocument, outputOption, type OutputFormat } from '../output/output-format';
import { formatDurationBetween, formatElapsed } from '../output/time';
import { collectInputs } from '../run-inputs';
import { describeTaskChange, waitForRun } from '../watch-run';

interface RunOptions {
  input?: string[];
  inputsFile?: string;
  idempotencyKey?: string;
  wait?: boolean;
  timeout?: number;
  output: OutputFormat;
  namespace?: string;
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('start a run of a workflow')
    .argument('<name>', 'the workflow to run')
    .option(
      '--input <key=value>',
      'a run input; the value is JSON when it parses as JSON, else text; key=@file reads a file; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--inputs-file <file>', 'run inputs from a JSON or YAML mapping (--input values override it)')
    .option('--idempotency-key <key>', 'start at most one run for this key; repeating it returns the same run')
    .option('--wait', 'follow the run until it ends; exit 0 only if it succeeded')
    .addOption(
      new Option('--timeout <duration>', 'stop waiting after this long, e.g. 30s or 10m (implies --wait)').argParser(parseCliDuration),
    )
    .addOption(outputOption())
    .addOption(namespaceOption())
    .action(async (name: string, options: RunOptions) => {
      context.exitCode = await startRun(context, name, options);
    });
}

export async function startRun(context: CommandContext, name: string, options: RunOptions): Promise<ExitCode> {
  const inputs = collectInputs({ inputsFile: options.inputsFile, assignments: options.input ?? [] }, (path) => readFileSync(path, 'utf8'));
  const { status, body: run } = await context.api().routes.call('startRun', {
    name,
    namespace: context.namespace(options.namespace),
    body: { inputs, idempotencyKey: options.idempotencyKey },
  });
  // undefined for the human (table) view, else the document format for stdout.
  const document = options.output === 'table' ? undefined : options.output;
  const existing = status === 200 && options.idempotencyKey !== undefined;
  const started = existing
    ? `run/${run.id} already started with idempotency key "${options.idempotencyKey}" (status ${run.status})`
    : `run/${run.id} created (status ${run.status})`;

  // --timeout alone still means "wait, but not forever".
  if (!options.wait && options.timeout === undefined) {
    context.out(document ? formatDocument(document, run) : `${started}\n`);
    return ExitCode.Success;
  }

  // Progress is for people: on stdout in table mode, on stderr when stdout is a JSON/YAML document.
  const progress = (line: string): void => (document ? context.err(`${line}\n`) : context.out(`${line}\n`));
  progress(started);
  const outcome = await waitForRun(context.api(), run.id, {
    timeoutMs: options.timeout,
    onTaskChange: (change) => progress(describeTaskChange(change)),
  });

  if (outcome.kind === 'timed-out') {
    const status = outcome.run?.status ?? run.status;
    context.err(
      `error: gave up waiting for run/${run.id} after ${formatElapsed(options.timeout ?? 0)} (status ${status}); it goes on running on the server\n`,
    );
    if (document && outcome.run) context.out(formatDocument(document, outcome.run));
    return ExitCode.Failure;
  }

  const final = outcome.run;
  const took = formatDurationBetween(final.startedAt ?? final.createdAt, final.finishedAt, context.now());
  context.out(document ? formatDocument(document, final) : `run/${final.id} ${final.status}${took === '-' ? '' : ` (${took})`}\n`);
  return final.status === 'succeeded' ? ExitCode.Success : ExitCode.Failure;
}
