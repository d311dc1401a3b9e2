import { Injectable } from '@nestjs/common';
import { RunRepository, TaskRunRepository, type RunRow, type TaskRunRow } from '@flowctl/persistence';
import { WorkflowCatalog } from './workflow-catalog';
import type { UnitOfWork } from './unit-of-work';

/**
 * Locks runs (always before their task rows, in id order: the lock order every
 * engine transaction follows) and attaches their compiled workflow.
 */
@Injectable()
export class RunLocker {
  constructor(
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly catalog: WorkflowCatalog,
  ) {}

  /** Locks runs and then these task runs of theirs in one round trip; returns the task rows (those of other runs are left out). */
  async lockWithTasks(uow: UnitOfWork, runIds: Iterable<string>, taskRunIds: readonly string[]): Promise<TaskRunRow[]> {
    // Runs this unit already holds are named again: locking them twice is free, and their tasks must pass the filter.
    const { runs, tasks } = await this.taskRuns.lockWithRuns(uow.tx, [...new Set(runIds)].sort(), taskRunIds);
    await this.attach(
      uow,
      runs.filter((row) => !uow.runs.has(row.id)),
    );
    return tasks;
  }

  async lock(uow: UnitOfWork, runIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(runIds)].filter((id) => !uow.runs.has(id)).sort();
    if (missing.length === 0) return;
    await this.attach(uow, await this.runs.lock(uow.tx, missing));
  }

  /** `rows` were read FOR UPDATE in this transaction: their counters are this transaction's to track. */
  private async attach(uow: UnitOfWork, rows: readonly RunRow[]): Promise<void> {
    for (const row of rows) {
      uow.runs.set(row.id, { row, workflow: await this.catalog.byVersionId(uow.tx, row.workflowVersionId) });
      uow.lockedOpenTasks.set(row.id, row.tasksOpen);
    }
  }
}
