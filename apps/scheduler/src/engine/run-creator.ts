import { Injectable } from '@nestjs/common';
import { InvalidInput, NotFound, resolveRunInputs } from '@flowctl/core';
import { RunRepository, TaskRunRepository, uuidV7, WorkflowRepository, type RunRow } from '@flowctl/persistence';
import { ConcurrencyGate } from './concurrency-gate';
import type { ReadyTask } from './run-advancer';
import type { UnitOfWork } from './unit-of-work';
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
}

/**
 * Creates a run and all its task rows inside the caller's transaction and
 * says which tasks start it (none while it waits for a concurrency slot). The
 * same idempotency key finds the first run instead.
 */
@Injectable()
export class RunCreator {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly concurrency: ConcurrencyGate,
  ) {}

  async create(uow: UnitOfWork, command: NewRunCommand): Promise<{ run: RunRow; created: boolean; roots: ReadyTask[] }> {
    if (
      command.idempotencyKey !== undefined &&
      (typeof command.idempotencyKey !== 'string' || command.idempotencyKey.length === 0 || command.idempotencyKey.length > 200)
    ) {
      throw new InvalidInput('idempotencyKey must be a non-empty string of at most 200 characters');
    }
    const { tx } = uow;
    const version = await this.workflows.currentVersion(tx, command.namespace, command.workflow);
    if (!version) throw new NotFound(`workflow "${command.workflow}" not found in namespace "${command.namespace}"`);
    const compiled = await this.catalog.byVersionId(tx, version.id);
    const inputs = resolveRunInputs(compiled.definition.spec.inputs, command.inputs);
    const tasks = compiled.definition.spec.tasks;
    const startNow = await this.concurrency.hasSlot(tx, command.namespace, command.workflow, compiled.definition.spec.concurrency);

    const { run, created } = await this.runs.insert(tx, {
      id: uuidV7(),
      namespace: command.namespace,
      workflowName: command.workflow,
      workflowVersionId: version.id,
      version: version.version,
      status: startNow ? 'running' : 'pending',
      inputs,
      idempotencyKey: command.idempotencyKey,
      tasksTotal: tasks.length,
      timeoutMs: compiled.definition.spec.timeout,
      scheduledFor: command.scheduledFor,
      parentRunId: command.parent?.runId,
      parentTaskRunId: command.parent?.taskRunId,
    });
    if (!created) return { run, created, roots: [] };

    const ids = await this.taskRuns.insertMany(
      tx,
      run.id,
      tasks.map((task) => ({
        name: task.name,
        type: task.type,
        priority: task.priority,
        depsTotal: task.dependsOn.length,
        timeoutMs: task.timeout,
        heartbeatTimeoutMs: task.heartbeatTimeout,
        scheduleToStartMs: task.scheduleToStartTimeout,
      })),
    );
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
    if (!startNow) {
      uow.event({ runId: run.id, type: 'run_waiting', details: { concurrency: compiled.definition.spec.concurrency } });
      return { run, created, roots: [] };
    }
    uow.event({ runId: run.id, type: 'run_started' });
    const idByName = new Map(ids.map((row) => [row.name, row.id]));
    const roots = tasks
      .filter((task) => task.dependsOn.length === 0)
      .map((task) => ({ runId: run.id, taskRunId: idByName.get(task.name)!, name: task.name, attempt: 1 }));
    return { run, created, roots };
  }
}
