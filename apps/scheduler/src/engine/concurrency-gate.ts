import { Injectable } from '@nestjs/common';
import { RunRepository, TaskRunRepository, WorkflowRepository, type Queryable } from '@flowctl/persistence';
import type { ReadyTask, UnitOfWork } from './unit-of-work';
import { WorkflowCatalog } from './workflow-catalog';

/**
 * spec.concurrency: at most N runs of a workflow in flight. A run over the
 * limit is created `pending` (its tasks exist, none queued) and starts, oldest
 * first, when a running one ends. Decisions about one workflow are serialised
 * by a row lock on it, so two schedulers cannot both take the last slot.
 */
@Injectable()
export class ConcurrencyGate {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly catalog: WorkflowCatalog,
  ) {}

  /** Whether a new run may start at once; call before inserting it, in the same transaction. */
  async hasSlot(tx: Queryable, namespace: string, workflow: string, limit: number | undefined): Promise<boolean> {
    if (limit === undefined) return true;
    await this.workflows.lock(tx, namespace, workflow);
    return (await this.runs.countRunning(tx, namespace, workflow)) < limit;
  }

  /** Starts the pending runs that now fit, for each workflow a run just left; returns their first tasks. */
  async startWaiting(
    uow: UnitOfWork,
    workflows: ReadonlyMap<string, { namespace: string; workflow: string; limit: number }>,
  ): Promise<ReadyTask[]> {
    const ready: ReadyTask[] = [];
    for (const { namespace, workflow, limit } of workflows.values()) {
      await this.workflows.lock(uow.tx, namespace, workflow);
      const free = limit - (await this.runs.countRunning(uow.tx, namespace, workflow));
      for (const run of await this.runs.startPending(uow.tx, namespace, workflow, free)) {
        uow.runs.set(run.id, { row: run, workflow: await this.catalog.byVersionId(uow.tx, run.workflowVersionId) });
        uow.event({ runId: run.id, type: 'run_started', details: { waitedForSlot: true } });
        for (const root of await this.taskRuns.roots(uow.tx, run.id))
          ready.push({ runId: run.id, taskRunId: root.id, name: root.name, attempt: 1 });
      }
    }
    return ready;
  }
}
