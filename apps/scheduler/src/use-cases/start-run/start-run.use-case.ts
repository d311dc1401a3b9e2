import { Injectable } from '@nestjs/common';
import { InvalidInput, NotFound, resolveRunInputs } from '@flowctl/core';
import { RunEventRepository, RunRepository, TaskRunRepository, uuidV7, WorkflowRepository, type RunRow } from '@flowctl/persistence';
import { ConcurrencyGate } from '../../engine/concurrency-gate';
import { RunAdvancer, type ReadyTask } from '../../engine/run-advancer';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';
import { WorkflowCatalog } from '../../engine/workflow-catalog';

export interface StartRunCommand {
  namespace: string;
  workflow: string;
  inputs?: unknown;
  idempotencyKey?: string;
  /** The cron tick this run is for. */
  scheduledFor?: Date;
}

/**
 * Creates a run and all its task rows in one transaction and queues the tasks
 * that depend on nothing. The same idempotency key returns the first run.
 */
@Injectable()
export class StartRunUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly workflows: WorkflowRepository,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly events: RunEventRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
    private readonly concurrency: ConcurrencyGate,
  ) {}

  async execute(command: StartRunCommand): Promise<{ run: RunRow; created: boolean }> {
    if (command.idempotencyKey !== undefined && (typeof command.idempotencyKey !== 'string' || command.idempotencyKey.length === 0 || command.idempotencyKey.length > 200)) {
      throw new InvalidInput('idempotencyKey must be a non-empty string of at most 200 characters');
    }
    const uowResult = await this.transactions.run(async (tx) => {
      const workflow = await this.workflows.find(tx, command.namespace, command.workflow);
      if (!workflow) throw new NotFound(`workflow "${command.workflow}" not found in namespace "${command.namespace}"`);
      const version = await this.workflows.version(tx, command.namespace, command.workflow, workflow.currentVersion);
      if (!version) throw new NotFound(`workflow "${command.workflow}" has no version ${workflow.currentVersion}`);
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
      });
      if (!created) return { run, created, uow: undefined };

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
      const uow = new UnitOfWork(tx);
      uow.runs.set(run.id, { row: run, workflow: compiled });
      uow.timersChanged = run.deadlineAt !== null || tasks.some((task) => task.scheduleToStartTimeout !== undefined);
      uow.event({ runId: run.id, type: 'run_created', details: { workflow: command.workflow, version: version.version, inputs } });
      if (startNow) {
        uow.event({ runId: run.id, type: 'run_started' });
        const idByName = new Map(ids.map((row) => [row.name, row.id]));
        const roots: ReadyTask[] = tasks
          .filter((task) => task.dependsOn.length === 0)
          .map((task) => ({ runId: run.id, taskRunId: idByName.get(task.name)!, name: task.name, attempt: 1 }));
        await this.advancer.advance(uow, [], roots);
      } else {
        uow.event({ runId: run.id, type: 'run_waiting', details: { concurrency: compiled.definition.spec.concurrency } });
      }
      await this.advancer.flush(uow);
      return { run, created, uow };
    });
    if (uowResult.uow) await this.dispatcher.dispatch(uowResult.uow.dispatch);
    const run = uowResult.created ? ((await this.runs.find(this.transactions.db, uowResult.run.id)) ?? uowResult.run) : uowResult.run;
    return { run, created: uowResult.created };
  }
}
