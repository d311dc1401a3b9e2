import { Injectable } from '@nestjs/common';
import { Conflict, isTaskTerminal, NotFound } from '@flowctl/core';
import { RunRepository, TaskRunRepository, type RunRow, execute } from '@flowctl/persistence';
import { taskJobId } from '@flowctl/queue';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunLocker } from '../../engine/run-locker';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';

/**
 * Cancels every unfinished task of a run in one transaction; after commit the
 * workers running them get their AbortSignal fired. A result that arrives
 * later finds the task cancelled and is discarded.
 */
@Injectable()
export class CancelRunUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly locker: RunLocker,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  /** `timed_out` ends the run the same way when its whole-run timeout passes. */
  async execute(runId: string, options: { reason?: string; status?: 'cancelled' | 'timed_out' } = {}): Promise<RunRow> {
    const status = options.status ?? 'cancelled';
    const reason = options.reason ?? (status === 'timed_out' ? 'run timed out' : 'cancelled by request');
    const { abort } = await this.transactions.run(async (tx) => {
      const uow = new UnitOfWork(tx);
      await this.locker.lock(uow, [runId]);
      const run = uow.runs.get(runId);
      if (!run) throw new NotFound(`run ${runId} not found`);
      if (run.row.status !== 'running' && run.row.status !== 'pending') {
        throw new Conflict(`run ${runId} is already ${run.row.status}`);
      }
      const open = (await this.taskRuns.lockRun(tx, runId)).filter((task) => !isTaskTerminal(task.status));
      await this.runs.setStatus(tx, runId, status, { finished: true });
      if (run.row.status === 'running') uow.runLeft(runId);
      run.row.status = status;
      uow.finishedRuns.push({ ...run.row, status });
      await execute(
        tx,
        this.taskRuns.markSkippedStatement(
          open.map((task) => task.id),
          'cancelled',
        ),
      );
      const abort = new Map<string, string>();
      for (const task of open) {
        uow.event({ runId, type: 'task_cancelled', task: task.name, attempt: task.attempt || undefined, details: { reason } });
        if (task.status === 'queued' || task.status === 'running') abort.set(taskJobId(task.id, task.attempt), task.type);
      }
      uow.countClosed(runId, open.length, 0);
      uow.event({ runId, type: status === 'timed_out' ? 'run_timed_out' : 'run_cancelled', details: { reason } });
      await this.advancer.flush(uow);
      return { abort };
    });
    await this.dispatcher.abort([...abort.keys()], abort);
    // A cancelled run takes its child runs with it.
    for (const child of await this.runs.activeChildren(this.transactions.db, runId)) {
      await this.execute(child.id, { reason: `parent run ${runId} ${status === 'timed_out' ? 'timed out' : 'cancelled'}` }).catch(
        () => undefined,
      );
    }
    return (await this.runs.find(this.transactions.db, runId))!;
  }
}
