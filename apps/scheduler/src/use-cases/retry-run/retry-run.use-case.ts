import { Injectable } from '@nestjs/common';
import { Conflict, isTaskFailure, NotFound } from '@flowctl/core';
import { RunRepository, TaskRunRepository, type RunRow } from '@flowctl/persistence';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunLocker } from '../../engine/run-locker';
import { RunReopener } from '../../engine/run-reopener';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';

/** Re-runs a failed run from its failed tasks; succeeded tasks keep their outputs. */
@Injectable()
export class RetryRunUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly locker: RunLocker,
    private readonly reopener: RunReopener,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(runId: string): Promise<RunRow> {
    const uow = await this.transactions.run(async (tx) => {
      const uow = new UnitOfWork(tx);
      await this.locker.lock(uow, [runId]);
      const run = uow.runs.get(runId);
      if (!run) throw new NotFound(`run ${runId} not found`);
      if (run.row.status !== 'failed') throw new Conflict(`run ${runId} is ${run.row.status}; only a failed run can be retried`);
      const tasks = await this.taskRuns.lockRun(tx, runId);
      const failed = tasks.filter((task) => isTaskFailure(task.status)).map((task) => task.name);
      uow.event({ runId, type: 'run_retried', details: { tasks: failed } });
      await this.reopener.reopen(uow, runId, tasks, failed);
      await this.advancer.flush(uow);
      return uow;
    });
    await this.dispatcher.dispatchCommitted(uow);
    return (await this.runs.find(this.transactions.db, runId))!;
  }
}
