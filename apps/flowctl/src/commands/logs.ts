import { Command, Option } from 'commander';
import { segment, type ApiClient } from '../api-client';
import type { Run, TaskRun } from '../api-types';
import type { CommandContext } from '../command-context';
import { InvalidInput } from '../errors';
import { ExitCode } from '../exit-codes';
import { assertRunInNamespace, namespaceOption } from '../namespace-option';
import { neutralizeTerminalText } from '../output/terminal-text';

/** One line of a task's log, as the API serves it. */
export interface LogLine {
  seq: number;
  ts: string;
  level: string;
  stream: string;
  message: string;
}

interface LogsOptions {
  attempt?: string;
  follow?: boolean;
  output: 'text' | 'json';
  namespace?: string;
}

const PAGE = 1_000;
const FINISHED_TASK = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'dead']);
const FINISHED_RUN = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export function registerLogsCommand(program: Command, context: CommandContext): void {
  program
    .command('logs')
    .description("print a task's log (without TASK: every task's, each line prefixed with its task); -f follows it live")
    .argument('<run>', 'the run id')
    .argument('[task]', 'the task (a forEach instance as name[3])')
    .option('--attempt <n>', 'the attempt (default: the latest)')
    .option('-f, --follow', 'keep printing lines as they come, until the task (without TASK: the run) ends')
    .addOption(new Option('-o, --output <format>', 'text, or json: one JSON object per line').choices(['text', 'json']).default('text'))
    .addOption(namespaceOption())
    .action(async (runId: string, task: string | undefined, options: LogsOptions) => {
      context.exitCode = await printLogs(context, runId, task, options);
    });
}

export async function printLogs(context: CommandContext, runId: string, task: string | undefined, options: LogsOptions): Promise<ExitCode> {
  const attempt = parseAttempt(options.attempt);
  if (attempt !== undefined && task === undefined) throw new InvalidInput('--attempt needs a TASK');
  const api = context.api();
  const run = await api.get<Run>(`/runs/${segment(runId)}`);
  assertRunInNamespace(run, runId, context.namespace(options.namespace));
  const printer = new LinePrinter(context, options.output, isTerminal(context.io.stdout));
  if (task !== undefined) {
    if (options.follow) await followTask(api, runId, task, attempt, (line) => printer.print(line));
    else for await (const line of pages(api, runId, task, attempt)) printer.print(line);
    return ExitCode.Success;
  }
  if (!options.follow) {
    for (const each of (run.tasks ?? []).filter((one) => (one.attempt ?? 0) > 0))
      for await (const line of pages(api, runId, each.name)) printer.print(line, each.name);
    return ExitCode.Success;
  }
  await followRun(api, run, (line, name) => printer.print(line, name));
  return ExitCode.Success;
}

function parseAttempt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new InvalidInput(`--attempt must be a positive integer, got "${value}"`);
  return Number(value);
}

async function* pages(api: ApiClient, runId: string, task: string, attempt?: number): AsyncGenerator<LogLine> {
  let after: string | undefined;
  for (;;) {
    const page = await api.get<{ items: LogLine[]; nextCursor: string | null }>(`/runs/${segment(runId)}/tasks/${segment(task)}/logs`, {
      attempt,
      after,
      limit: PAGE,
    });
    yield* page.items;
    if (!page.nextCursor || page.nextCursor === after) return;
    after = page.nextCursor;
  }
}

/**
 * Follows a task's log over SSE. Without --attempt, when an attempt ends and the task goes on
 * (it is retried), the next attempt is followed too, until the task ends.
 */
async function followTask(api: ApiClient, runId: string, task: string, attempt: number | undefined, print: (line: LogLine) => void) {
  const path = `/runs/${segment(runId)}/tasks/${segment(task)}/logs/stream`;
  let following = attempt;
  for (;;) {
    const seen = await followAttempt(api, path, following, print);
    if (attempt !== undefined) return;
    const state = await api.get<TaskRun>(`/runs/${segment(runId)}/tasks/${segment(task)}`);
    if (FINISHED_TASK.has(state.status) && (state.attempt ?? 0) <= seen) return;
    // The next attempt, once it exists; its stream waits for its first line.
    following = Math.max(seen + 1, state.attempt ?? 0);
    if ((state.attempt ?? 0) < following) await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Prints one attempt's stream to its `end` (reconnecting after a dropped connection); returns the attempt it was. */
async function followAttempt(api: ApiClient, path: string, attempt: number | undefined, print: (line: LogLine) => void): Promise<number> {
  let lastId: string | undefined;
  for (let reconnects = 0; reconnects < 5; reconnects++) {
    for await (const frame of api.events(path, { attempt }, lastId)) {
      if (frame.event === 'end') return Number((JSON.parse(frame.data) as { attempt?: number }).attempt ?? attempt ?? 0);
      if (frame.event !== 'message') continue;
      const line = JSON.parse(frame.data) as LogLine;
      lastId = frame.id ?? String(line.seq);
      print(line);
    }
  }
  return attempt ?? 0;
}

/**
 * Follows every task of a run until the run ends: the tasks there are now, and each one that
 * appears or starts later (a forEach instance), learnt from the run's own event stream.
 */
async function followRun(api: ApiClient, run: Run, print: (line: LogLine, task: string) => void): Promise<void> {
  const followed = new Map<string, Promise<void>>();
  const followNew = (current: Run) => {
    for (const task of current.tasks ?? []) {
      if (followed.has(task.name) || ((task.attempt ?? 0) === 0 && FINISHED_TASK.has(task.status))) continue;
      followed.set(
        task.name,
        followTask(api, current.id, task.name, undefined, (line) => print(line, task.name)),
      );
    }
  };
  followNew(run);
  if (!FINISHED_RUN.has(run.status)) {
    for await (const frame of api.events(`/runs/${segment(run.id)}/stream`)) {
      if (frame.event !== 'events' && frame.event !== 'snapshot') continue;
      const now = await api.get<Run>(`/runs/${segment(run.id)}`);
      followNew(now);
      if (FINISHED_RUN.has(now.status)) break;
    }
  }
  await Promise.all(followed.values());
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Text: the message (after `task | ` without TASK), neutralised for the terminal. JSON: one object per line. */
export class LinePrinter {
  constructor(
    private readonly context: CommandContext,
    private readonly output: 'text' | 'json',
    private readonly tty: boolean,
  ) {}

  print(line: LogLine, task?: string): void {
    if (this.output === 'json') {
      this.context.out(`${JSON.stringify(task === undefined ? line : { task, ...line })}\n`);
      return;
    }
    const text = neutralizeTerminalText(line.message, { keepColour: this.tty });
    const prefix = task === undefined ? '' : `${neutralizeTerminalText(task)} | `;
    this.context.out(`${prefix}${text}${this.tty && text.includes('\x1b[') ? '\x1b[0m' : ''}\n`);
  }
}
