import { Injectable } from '@nestjs/common';
import { FlowctlError, InvalidInput, NotFound, resolveRunInputs } from '@flowctl/core';
import { RunRepository, uuidV7, WorkflowRepository, type NewRun, type NewTaskRun, type RunRow } from '@flowctl/persistence';
import type { CompiledWorkflow } from './compiled-workflow';
import { ConcurrencyGate } from './concurrency-gate';
import type { ReadyTask, UnitOfWork } from './unit-of-work';
import { WorkflowCatalog } from './workflow-catalog';

export interface NewRunCommand {
  namespace: string;
  workflow: string;
  inputs?: unknown;
  idempotencyKey?: string;
  /** The cron tick this run is for. */
  scheduledFor?: Date;
  /** Set for a child run started by a `workflow` task. */
  parent?: { runId: string; taskRunId: string };
  /** The id an accepted event already promised its sender; otherwise a new one. */
  runId?: string;
}

export interface CreatedRun {
  run: RunRow;
  created: boolean;
  roots: ReadyTask[];
}

/** A command the domain refused (unknown workflow, bad inputs or idempotency key): it wrote nothing. */
export type NewRunOutcome = CreatedRun | { refused: FlowctlError };

interface PlannedRun {
  index: number;
  command: NewRunCommand;
  version: { id: string; version: number };
  compiled: CompiledWorkflow;
  inputs: Record<string, unknown>;
}

/**
 * Creates runs and all their task rows inside the caller's transaction and
 * says which tasks start them (none while a run waits for a concurrency slot).
 * The same idempotency key finds the first run instead.
 */
@Injectable()
export class RunCreator {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly runs: RunRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly concurrency: ConcurrencyGate,
  ) {}

  async create(uow: UnitOfWork, command: NewRunCommand): Promise<CreatedRun> {
    const [outcome] = await this.createMany(uow, [command]);
    if ('refused' in outcome!) throw outcome.refused;
    return outcome!;
  }

  /**
   * The runs of many commands with a few statements in all: one lookup per workflow and one insert
   * of the runs with their tasks (one per run of a workflow with spec.concurrency). A refused command
   * gets its error and the others go on.
   */
  async createMany(uow: UnitOfWork, commands: readonly NewRunCommand[]): Promise<NewRunOutcome[]> {
    const outcomes: NewRunOutcome[] = new Array<NewRunOutcome>(commands.length);
    const planned: PlannedRun[] = [];
    // Looked up once per workflow: the runs of one batch start from the same version.
    const versions = new Map<string, Promise<{ id: string; version: number } | undefined>>();
    for (const [index, command] of commands.entries()) {
      try {
        planned.push(await this.plan(uow, index, command, versions));
      } catch (error) {
        if (!(error instanceof FlowctlError)) throw error;
        outcomes[index] = { refused: error };
      }
    }

    // Runs of a workflow with spec.concurrency take their slots one by one, under the workflow's row lock
    // (in name order, so two batches lock alike): each count must see the runs inserted before it.
    const free = planned.filter((run) => run.compiled.definition.spec.concurrency === undefined);
    const limited = planned
      .filter((run) => run.compiled.definition.spec.concurrency !== undefined)
      .sort((a, b) => workflowKey(a.command).localeCompare(workflowKey(b.command)));
    const stored = new Map<PlannedRun, { run: RunRow; created: boolean; taskIds: Map<string, string> }>();
    const inserted = await this.runs.insertWithTasks(
      uow.tx,
      free.map((run) => this.newRun(run, true)),
    );
    free.forEach((run, i) => stored.set(run, inserted[i]!));
    for (const run of limited) {
      const { namespace, workflow } = run.command;
      const startNow = await this.concurrency.hasSlot(uow.tx, namespace, workflow, run.compiled.definition.spec.concurrency);
      stored.set(run, (await this.runs.insertWithTasks(uow.tx, [this.newRun(run, startNow)]))[0]!);
    }

    for (const plan of planned) {
      const { run, created, taskIds } = stored.get(plan)!;
      outcomes[plan.index] = { run, created, roots: created ? this.started(uow, plan, run, taskIds) : [] };
    }
    return outcomes;
  }

  /** Everything about a command that needs no write: its workflow's current version and its inputs. */
  private async plan(
    uow: UnitOfWork,
    index: number,
    command: NewRunCommand,
    versions: Map<string, Promise<{ id: string; version: number } | undefined>>,
  ): Promise<PlannedRun> {
    if (
      command.idempotencyKey !== undefined &&
      (typeof command.idempotencyKey !== 'string' || command.idempotencyKey.length === 0 || command.idempotencyKey.length > 200)
    ) {
      throw new InvalidInput('idempotencyKey must be a non-empty string of at most 200 characters');
    }
    const key = workflowKey(command);
    if (!versions.has(key)) versions.set(key, this.workflows.currentVersion(uow.tx, command.namespace, command.workflow));
    const version = await versions.get(key);
    if (!version) throw new NotFound(`workflow "${command.workflow}" not found in namespace "${command.namespace}"`);
    const compiled = await this.catalog.byVersionId(uow.tx, version.id);
    const inputs = resolveRunInputs(compiled.definition.spec.inputs, command.inputs);
    return { index, command, version, compiled, inputs };
  }

  private newRun({ command, version, compiled, inputs }: PlannedRun, startNow: boolean): { run: NewRun; tasks: NewTaskRun[] } {
    const run: NewRun = {
      id: command.runId ?? uuidV7(),
      namespace: command.namespace,
      workflowName: command.workflow,
      workflowVersionId: version.id,
      version: version.version,
      status: startNow ? 'running' : 'pending',
      inputs,
      idempotencyKey: command.idempotencyKey,
      tasksTotal: compiled.definition.spec.tasks.length,
      timeoutMs: compiled.definition.spec.timeout,
      scheduledFor: command.scheduledFor,
      parentRunId: command.parent?.runId,
      parentTaskRunId: command.parent?.taskRunId,
    };
    const tasks = compiled.definition.spec.tasks.map((task) => ({
      name: task.name,
      type: task.type,
      priority: task.priority,
      depsTotal: task.dependsOn.length,
      timeoutMs: task.timeout,
      heartbeatTimeoutMs: task.heartbeatTimeout,
      scheduleToStartMs: task.scheduleToStartTimeout,
    }));
    return { run, tasks };
  }

  /** Records a new run in the unit of work; its first tasks, unless it waits for a slot. */
  private started(
    uow: UnitOfWork,
    { command, version, compiled, inputs }: PlannedRun,
    run: RunRow,
    taskIds: ReadonlyMap<string, string>,
  ): ReadyTask[] {
    const tasks = compiled.definition.spec.tasks;
    uow.runs.set(run.id, { row: run, workflow: compiled });
    if (run.deadlineAt !== null || tasks.some((task) => task.scheduleToStartTimeout !== undefined)) uow.timersChanged = true;
    uow.event({
      runId: run.id,
      type: 'run_created',
      details: {
        workflow: command.workflow,
        version: version.version,
        inputs,
        ...(command.parent ? { parentRunId: command.parent.runId } : {}),
      },
    });
    if (run.status === 'pending') {
      uow.event({ runId: run.id, type: 'run_waiting', details: { concurrency: compiled.definition.spec.concurrency } });
      return [];
    }
    uow.event({ runId: run.id, type: 'run_started' });
    return tasks
      .filter((task) => task.dependsOn.length === 0)
      .map((task) => ({ runId: run.id, taskRunId: taskIds.get(task.name)!, name: task.name, attempt: 1 }));
  }
}

const workflowKey = (command: NewRunCommand) => `${command.namespace}\u0000${command.workflow}`;
