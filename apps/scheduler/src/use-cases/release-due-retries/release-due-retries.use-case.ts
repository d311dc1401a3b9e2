import { Injectable } from '@nestjs/common';
import { ClusterRepository, RunRepository, TaskRunRepository, execute, TaskRunTimerRepository, LEADER_LEASE } from '@flowctl/persistence';
import { RunAdvancer } from '../../engine/run-advancer';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { dispatchOfRow, UnitOfWork } from '../../engine/unit-of-work';
import { WorkflowCatalog } from '../../engine/workflow-catalog';

/**
 * Leader duty: queues the next attempt of every task whose backoff has
 * elapsed. Fenced by the lease token, so a deposed leader that wakes up late
 * changes nothing. The input was rendered for the first attempt and is reused.
 */
@Injectable()
export class ReleaseDueRetriesUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly taskRuns: TaskRunRepository,
    private readonly timers: TaskRunTimerRepository,
    private readonly runs: RunRepository,
    private readonly cluster: ClusterRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  /** Returns how many attempts it queued; a full batch means call again. */
  async execute(holder: string, token: string, limit: number): Promise<number> {
    const uow = await this.transactions.run(async (tx) => {
      const uow = new UnitOfWork(tx);
      if (!(await this.cluster.holdsLease(tx, LEADER_LEASE, holder, token))) return uow;
      const due = await this.timers.claimDueRetries(tx, limit);
      if (due.length === 0) return uow;
      // Read, not locked: locking runs after their tasks would invert the engine's lock order.
      for (const run of await this.runs.findMany(tx, [...new Set(due.map((task) => task.runId))])) {
        uow.runs.set(run.id, { row: run, workflow: await this.catalog.byVersionId(tx, run.workflowVersionId) });
      }
      await execute(
        tx,
        this.taskRuns.markQueuedStatement(due.map((task) => ({ id: task.id, attempt: task.attempt + 1, input: task.input }))),
      );
      uow.timersChanged = due.some((task) => task.scheduleToStartMs !== null);
      for (const task of due) {
        uow.event({ runId: task.runId, type: 'task_queued', task: task.name, attempt: task.attempt + 1 });
        // The attempt continues the trace of the one that failed (stored with the retry; null with tracing off).
        uow.dispatch.push({
          ...dispatchOfRow(uow.run(task.runId).row, task, task.attempt + 1),
          traceparent: task.retryTraceparent ?? undefined,
        });
      }
      await this.advancer.flush(uow);
      return uow;
    });
    await this.dispatcher.dispatchCommitted(uow);
    return uow.dispatch.length;
  }
}
