import { Injectable } from '@nestjs/common';
import { Conflict, NotFound } from '@flowctl/core';
import { DeadLetterRepository, TaskRunRepository } from '@flowctl/persistence';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunLocker } from '../../engine/run-locker';
import { RunReopener } from '../../engine/run-reopener';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';

/**
 * Gives a dead task a fresh budget of attempts (attempt numbers continue) and
 * reopens what was skipped because of it, so its run can go on to the end.
 */
@Injectable()
export class RequeueDeadLetterUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly deadLetters: DeadLetterRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly locker: RunLocker,
    private readonly reopener: RunReopener,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(id: string): Promise<{ id: string; runId: string; task: string; attempt: number }> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFound(`dead letter ${id} not found`);
    const { uow, result } = await this.transactions.run(async (tx) => {
      const letter = await this.deadLetters.find(tx, id);
      if (!letter) throw new NotFound(`dead letter ${id} not found`);
      const uow = new UnitOfWork(tx);
      await this.locker.lock(uow, [letter.runId]);
      const locked = await this.deadLetters.lock(tx, id);
      if (!locked || locked.requeuedAt) throw new Conflict(`dead letter ${id} was already requeued`);
      const { row: run } = uow.run(letter.runId);
      if (run.status === 'cancelled' || run.status === 'timed_out')
        throw new Conflict(`run ${run.id} is ${run.status}; its tasks cannot be requeued`);
      const tasks = await this.taskRuns.lockRun(tx, letter.runId);
      const task = tasks.find((t) => t.id === letter.taskRunId);
      if (!task || task.status !== 'dead') throw new Conflict(`task ${letter.task} is no longer dead`);
      uow.event({
        runId: letter.runId,
        type: 'task_requeued',
        task: letter.task,
        attempt: task.attempt + 1,
        details: { deadLetterId: id },
      });
      await this.reopener.reopen(uow, letter.runId, tasks, [letter.task]);
      await this.advancer.flush(uow);
      return { uow, result: { id, runId: letter.runId, task: letter.task, attempt: task.attempt + 1 } };
    });
    await this.dispatcher.dispatchCommitted(uow);
    return result;
  }
}
